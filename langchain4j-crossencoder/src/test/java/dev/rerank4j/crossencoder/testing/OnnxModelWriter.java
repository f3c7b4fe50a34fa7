package dev.rerank4j.crossencoder.testing;

import dev.rerank4j.crossencoder.runtime.internal.OnnxGraphWriter;

import java.nio.file.Path;
import java.util.List;

import static dev.rerank4j.crossencoder.runtime.internal.OnnxGraphWriter.FLOAT;
import static dev.rerank4j.crossencoder.runtime.internal.OnnxGraphWriter.INT64;
import static dev.rerank4j.crossencoder.runtime.internal.OnnxGraphWriter.intAttribute;
import static dev.rerank4j.crossencoder.runtime.internal.OnnxGraphWriter.intsAttribute;

/**
 * Small valid ONNX models for tests ({@link OnnxGraphWriter}), so tests can exercise what a real model cannot do on
 * demand (unexpected inputs, a run slow enough to interrupt) without shipping more binaries or needing Python.
 */
public final class OnnxModelWriter {

    private OnnxModelWriter() {
    }

    /** An Identity over one float input named as given. */
    public static void writeIdentityModel(Path file, String inputName) {
        new OnnxGraphWriter("g").node("Identity", List.of(inputName), "y")
                .input(inputName, FLOAT, 1L).output("y", FLOAT, 1L).write(file, 14);
    }

    /** The bytes of an Identity model whose float input and output have {@code rank} dimensions (1: [1]; else symbolic). */
    public static byte[] identityModel(String inputName, String outputName, int rank) {
        Object[] dims = new Object[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = rank == 1 ? (Object) 1L : "d" + i;
        }
        return new OnnxGraphWriter("g").node("Identity", List.of(inputName), outputName)
                .input(inputName, FLOAT, dims).output(outputName, FLOAT, dims).toByteArray(14);
    }

    /**
     * A stand-in cross-encoder whose cost grows with the batch: {@code input_ids [batch, sequence]} →
     * {@code logits [batch, 1]} through {@code depth} chained {@code [batch, width] x [width, width]} MatMul nodes.
     * One row is quick; hundreds of rows take seconds, and ONNX Runtime checks its terminate flag between the nodes,
     * so a run can be stopped part-way. Logits depend on the input ids (their mean), so nothing is constant-folded.
     */
    public static void writeSlowCrossEncoder(Path file, int width, int depth) {
        float[] bias = new float[width];
        float[] weights = new float[width * width];
        for (int i = 0; i < width; i++) {
            bias[i] = (float) i / width;
            for (int j = 0; j < width; j++) {
                // half identity, half mean: bounded however long the chain
                weights[i * width + j] = (i == j ? 0.5f : 0f) + 0.5f / width;
            }
        }
        OnnxGraphWriter graph = new OnnxGraphWriter("slow")
                .node("Cast", List.of("input_ids"), "x", intAttribute("to", FLOAT))
                .node("ReduceMean", List.of("x"), "m", intsAttribute("axes", 1), intAttribute("keepdims", 1))
                .node("Mul", List.of("m", "eps"), "s")
                .node("Add", List.of("s", "bias"), "z0");
        for (int i = 1; i <= depth; i++) {
            graph.node("MatMul", List.of("z" + (i - 1), "w"), "z" + i);
        }
        graph.node("ReduceMean", List.of("z" + depth), "logits", intsAttribute("axes", 1), intAttribute("keepdims", 1))
                .initializer("eps", new long[0], new float[] {1e-6f})
                .initializer("bias", new long[] {1, width}, bias)
                .initializer("w", new long[] {width, width}, weights)
                .input("input_ids", INT64, "batch", "sequence")
                .output("logits", FLOAT, "batch", 1L)
                .write(file, 13);
    }
}
