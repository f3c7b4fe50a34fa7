package dev.rerank4j.crossencoder.testing;

import dev.rerank4j.crossencoder.runtime.internal.ProtoWire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small valid ONNX models in protobuf wire format, so tests can exercise what a real model cannot do on
 * demand (unexpected inputs, a run slow enough to interrupt) without shipping more binaries or needing Python.
 */
public final class OnnxModelWriter {

    private static final int FLOAT = 1;
    private static final int INT64 = 7;
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_INTS = 7;

    private OnnxModelWriter() {
    }

    /** An Identity over one float input named as given. */
    public static void writeIdentityModel(Path file, String inputName) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, identityModel(inputName, "y", 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of an Identity model whose float input and output have {@code rank} dimensions (1: [1]; else symbolic). */
    public static byte[] identityModel(String inputName, String outputName, int rank) {
        byte[][] dims = new byte[rank][];
        for (int i = 0; i < rank; i++) {
            dims[i] = rank == 1 ? dimValue(1) : dimParam("d" + i);
        }
        byte[] graph = concat(bytesField(1, node("Identity", List.of(inputName), outputName)), stringField(2, "g"),
                bytesField(11, valueInfo(inputName, FLOAT, dims)), bytesField(12, valueInfo(outputName, FLOAT, dims)));
        return model(graph, 14);
    }

    /**
     * A stand-in cross-encoder whose cost grows with the batch: {@code input_ids [batch, sequence]} →
     * {@code logits [batch, 1]} through {@code depth} chained {@code [batch, width] x [width, width]} MatMul nodes.
     * One row is quick; hundreds of rows take seconds, and ONNX Runtime checks its terminate flag between the nodes,
     * so a run can be stopped part-way. Logits depend on the input ids (their mean), so nothing is constant-folded.
     */
    public static void writeSlowCrossEncoder(Path file, int width, int depth) {
        List<byte[]> nodes = new ArrayList<>();
        nodes.add(node("Cast", List.of("input_ids"), "x", intAttribute("to", FLOAT)));
        nodes.add(node("ReduceMean", List.of("x"), "m", intsAttribute("axes", 1), intAttribute("keepdims", 1)));
        nodes.add(node("Mul", List.of("m", "eps"), "s"));
        nodes.add(node("Add", List.of("s", "bias"), "z0"));
        for (int i = 1; i <= depth; i++) {
            nodes.add(node("MatMul", List.of("z" + (i - 1), "w"), "z" + i));
        }
        nodes.add(node("ReduceMean", List.of("z" + depth), "logits", intsAttribute("axes", 1),
                intAttribute("keepdims", 1)));

        float[] bias = new float[width];
        float[] weights = new float[width * width];
        for (int i = 0; i < width; i++) {
            bias[i] = (float) i / width;
            for (int j = 0; j < width; j++) {
                // half identity, half mean: bounded however long the chain
                weights[i * width + j] = (i == j ? 0.5f : 0f) + 0.5f / width;
            }
        }
        ByteArrayOutputStream graph = new ByteArrayOutputStream();
        nodes.forEach(n -> graph.writeBytes(bytesField(1, n)));
        graph.writeBytes(stringField(2, "slow"));
        graph.writeBytes(bytesField(5, floatTensor("eps", new long[0], new float[] {1e-6f})));
        graph.writeBytes(bytesField(5, floatTensor("bias", new long[] {1, width}, bias)));
        graph.writeBytes(bytesField(5, floatTensor("w", new long[] {width, width}, weights)));
        graph.writeBytes(bytesField(11, valueInfo("input_ids", INT64, dimParam("batch"), dimParam("sequence"))));
        graph.writeBytes(bytesField(12, valueInfo("logits", FLOAT, dimParam("batch"), dimValue(1))));
        write(file, graph.toByteArray(), 13);
    }

    private static byte[] model(byte[] graph, int opset) {
        byte[] opsetImport = concat(stringField(1, ""), varintField(2, opset));
        return concat(varintField(1, 8), bytesField(7, graph), bytesField(8, opsetImport));
    }

    private static void write(Path file, byte[] graph, int opset) {
        byte[] model = model(graph, opset);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] node(String op, List<String> inputs, String output, byte[]... attributes) {
        ByteArrayOutputStream node = new ByteArrayOutputStream();
        inputs.forEach(input -> node.writeBytes(stringField(1, input)));
        node.writeBytes(stringField(2, output));
        node.writeBytes(stringField(4, op));
        for (byte[] attribute : attributes) {
            node.writeBytes(bytesField(5, attribute));
        }
        return node.toByteArray();
    }

    private static byte[] intAttribute(String name, long value) {
        return concat(stringField(1, name), varintField(3, value), varintField(20, ATTRIBUTE_INT));
    }

    private static byte[] intsAttribute(String name, long... values) {
        ByteArrayOutputStream attribute = new ByteArrayOutputStream();
        attribute.writeBytes(stringField(1, name));
        for (long value : values) {
            attribute.writeBytes(varintField(8, value));
        }
        attribute.writeBytes(varintField(20, ATTRIBUTE_INTS));
        return attribute.toByteArray();
    }

    private static byte[] floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            raw.putFloat(value);
        }
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        for (long dim : dims) {
            tensor.writeBytes(varintField(1, dim));
        }
        tensor.writeBytes(varintField(2, FLOAT));
        tensor.writeBytes(stringField(8, name));
        tensor.writeBytes(bytesField(9, raw.array()));
        return tensor.toByteArray();
    }

    private static byte[] valueInfo(String name, int elementType, byte[]... dims) {
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        for (byte[] dim : dims) {
            shape.writeBytes(bytesField(1, dim));
        }
        byte[] tensorType = concat(varintField(1, elementType), bytesField(2, shape.toByteArray()));
        return concat(stringField(1, name), bytesField(2, bytesField(1, tensorType)));
    }

    private static byte[] dimValue(long value) {
        return varintField(1, value);
    }

    private static byte[] dimParam(String name) {
        return stringField(2, name);
    }

    // the wire format itself is ProtoWire's, the one writer the graph cut uses too
    private static byte[] varintField(int field, long value) {
        return new ProtoWire.Writer().varint(field, value).toByteArray();
    }

    private static byte[] stringField(int field, String value) {
        return new ProtoWire.Writer().string(field, value).toByteArray();
    }

    private static byte[] bytesField(int field, byte[] value) {
        return new ProtoWire.Writer().bytes(field, value).toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
