package dev.rerank4j.eval.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Measures the machine's fp32 matrix-multiply rate (GFLOP/s) with PyTorch's BLAS through DJL, on shapes like a
 * BERT feed-forward layer over a full batch, using all cores. This is the ceiling the model's FLOP rate is
 * compared with.
 */
public final class GemmProbe {

    private GemmProbe() {
    }

    public static double measureGflops(int m, int k, int n, int repetitions) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray a = manager.randomUniform(-1f, 1f, new Shape(m, k));
            NDArray b = manager.randomUniform(-1f, 1f, new Shape(k, n));
            for (int i = 0; i < 3; i++) {
                try (NDArray warm = a.matMul(b)) {
                    warm.toFloatArray();
                }
            }
            double best = Double.MAX_VALUE;
            for (int i = 0; i < repetitions; i++) {
                long start = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0); // forces completion
                }
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
            }
            return 2.0 * m * k * n / best / 1e9;
        }
    }
}
