package dev.rerank4j.eval.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.rerank4j.crossencoder.runtime.internal.OnnxGraphWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * ONNX Runtime's own fp32 matrix-multiply rate on the model's shapes: a one-node MatMul graph written at run time
 * ({@link OnnxGraphWriter}), run through ONNX Runtime Java in the two shapes the scorer can take: one run with an
 * intra-op thread per core, and one single-threaded run per core at the same time. Best of N for each.
 *
 * <p>The graph: {@code c = MatMul(a, b)} over float tensors {@code a: [m, k]}, {@code b: [k, n]} (symbolic sizes).
 */
public final class OrtGemmProbe {

    /**
     * @param oneRunAllCores   GFLOP/s of one MatMul spread over all cores
     * @param oneRunPerCore    GFLOP/s of one single-threaded MatMul per core, together
     * @param cores            cores used
     */
    public record Result(double oneRunAllCores, double oneRunPerCore, int cores) {
        public double best() {
            return Math.max(oneRunAllCores, oneRunPerCore);
        }
    }

    private OrtGemmProbe() {
    }

    public static Result measure(int m, int k, int n, int repetitions) {
        int cores = Runtime.getRuntime().availableProcessors();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("rerank4j-gemm");
            Path model = dir.resolve("matmul.onnx");
            writeMatMulModel(model);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            double flops = 2.0 * m * k * n;
            double allCores;
            try (OrtSession session = session(env, model, cores)) {
                allCores = flops / bestSeconds(env, session, m, k, n, 1, repetitions) / 1e9;
            }
            double perCore;
            try (OrtSession session = session(env, model, 1)) {
                perCore = cores * flops / bestSeconds(env, session, m, k, n, cores, repetitions) / 1e9;
            }
            return new Result(allCores, perCore, cores);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the GEMM probe model", e);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime GEMM probe failed: " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                dir.resolve("matmul.onnx").toFile().delete();
                dir.toFile().delete();
            }
        }
    }

    static void writeMatMulModel(Path file) {
        new OnnxGraphWriter("gemm").node("MatMul", List.of("a", "b"), "c")
                .input("a", OnnxGraphWriter.FLOAT, "m", "k").input("b", OnnxGraphWriter.FLOAT, "k", "n")
                .output("c", OnnxGraphWriter.FLOAT, "m", "n").write(file, 14);
    }

    private static OrtSession session(OrtEnvironment env, Path model, int threads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            return env.createSession(model.toString(), options);
        }
    }

    /** Seconds of the fastest round in which {@code parallel} threads each ran the product once (3 warm-up rounds). */
    private static double bestSeconds(OrtEnvironment env, OrtSession session, int m, int k, int n, int parallel,
                                      int repetitions) throws OrtException {
        Random random = new Random(1);
        try (OnnxTensor a = OnnxTensor.createTensor(env, randomBuffer(random, m * k), new long[] {m, k});
             OnnxTensor b = OnnxTensor.createTensor(env, randomBuffer(random, k * n), new long[] {k, n})) {
            Map<String, OnnxTensor> feeds = Map.of("a", a, "b", b);
            ExecutorService threads = Executors.newFixedThreadPool(parallel);
            try {
                double best = Double.MAX_VALUE;
                for (int round = 0; round < repetitions + 3; round++) {
                    long start = System.nanoTime();
                    List<Future<Void>> runs = new ArrayList<>();
                    for (int t = 0; t < parallel; t++) {
                        runs.add(threads.submit(() -> {
                            try (OrtSession.Result ignored = session.run(feeds)) {
                                return null;
                            }
                        }));
                    }
                    for (Future<Void> run : runs) {
                        run.get();
                    }
                    if (round >= 3) {
                        best = Math.min(best, (System.nanoTime() - start) / 1e9);
                    }
                }
                return best;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("GEMM probe interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("GEMM probe run failed: " + e.getCause(), e.getCause());
            } finally {
                threads.shutdownNow();
            }
        }
    }

    private static FloatBuffer randomBuffer(Random random, int size) {
        FloatBuffer buffer = ByteBuffer.allocateDirect(size * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < size; i++) {
            buffer.put(random.nextFloat() * 2 - 1);
        }
        return buffer.rewind();
    }
}
