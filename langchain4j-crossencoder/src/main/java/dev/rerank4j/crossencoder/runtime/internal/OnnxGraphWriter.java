package dev.rerank4j.crossencoder.runtime.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a small ONNX model in protobuf wire format, so that a graph can be built at run time without Python or a
 * protobuf library: the benchmark's GEMM probe (one MatMul of the model's shapes) and test fixtures (unexpected
 * inputs, a run slow enough to interrupt). Nodes, initializers, inputs and outputs are written in the order added.
 */
public final class OnnxGraphWriter {

    public static final int FLOAT = 1;
    public static final int INT64 = 7;
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_INTS = 7;

    private final ByteArrayOutputStream graph = new ByteArrayOutputStream();

    public OnnxGraphWriter(String name) {
        graph.writeBytes(stringField(2, name));
    }

    /** A node {@code output = op(inputs...)} with attributes from {@link #intAttribute} / {@link #intsAttribute}. */
    public OnnxGraphWriter node(String op, List<String> inputs, String output, byte[]... attributes) {
        ByteArrayOutputStream node = new ByteArrayOutputStream();
        inputs.forEach(input -> node.writeBytes(stringField(1, input)));
        node.writeBytes(stringField(2, output));
        node.writeBytes(stringField(4, op));
        for (byte[] attribute : attributes) {
            node.writeBytes(bytesField(5, attribute));
        }
        graph.writeBytes(bytesField(1, node.toByteArray()));
        return this;
    }

    /** A constant float tensor. */
    public OnnxGraphWriter initializer(String name, long[] dims, float[] values) {
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
        graph.writeBytes(bytesField(5, tensor.toByteArray()));
        return this;
    }

    /** A graph input; each dimension a {@link Long} (fixed) or a {@link String} (symbolic). */
    public OnnxGraphWriter input(String name, int elementType, Object... dims) {
        graph.writeBytes(bytesField(11, valueInfo(name, elementType, dims)));
        return this;
    }

    /** A graph output; dimensions as for {@link #input}. */
    public OnnxGraphWriter output(String name, int elementType, Object... dims) {
        graph.writeBytes(bytesField(12, valueInfo(name, elementType, dims)));
        return this;
    }

    public static byte[] intAttribute(String name, long value) {
        return concat(stringField(1, name), varintField(3, value), varintField(20, ATTRIBUTE_INT));
    }

    public static byte[] intsAttribute(String name, long... values) {
        ByteArrayOutputStream attribute = new ByteArrayOutputStream();
        attribute.writeBytes(stringField(1, name));
        for (long value : values) {
            attribute.writeBytes(varintField(8, value));
        }
        attribute.writeBytes(varintField(20, ATTRIBUTE_INTS));
        return attribute.toByteArray();
    }

    /** Writes the model (IR version 8, default domain at {@code opset}), creating parent folders. */
    public void write(Path file, int opset) {
        byte[] opsetImport = concat(stringField(1, ""), varintField(2, opset));
        byte[] model = concat(varintField(1, 8), bytesField(7, graph.toByteArray()), bytesField(8, opsetImport));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, model);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write ONNX model " + file, e);
        }
    }

    private static byte[] valueInfo(String name, int elementType, Object... dims) {
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        for (Object dim : dims) {
            byte[] dimension;
            if (dim instanceof Number value) {
                dimension = varintField(1, value.longValue());
            } else if (dim instanceof String param) {
                dimension = stringField(2, param);
            } else {
                throw new IllegalArgumentException("dimension " + dim + " is neither a number nor a name");
            }
            shape.writeBytes(bytesField(1, dimension));
        }
        byte[] tensorType = concat(varintField(1, elementType), bytesField(2, shape.toByteArray()));
        return concat(stringField(1, name), bytesField(2, bytesField(1, tensorType)));
    }

    private static byte[] varintField(int field, long value) {
        return concat(varint((long) field << 3), varint(value));
    }

    private static byte[] stringField(int field, String value) {
        return bytesField(field, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytesField(int field, byte[] value) {
        return concat(varint(((long) field << 3) | 2), varint(value.length), value);
    }

    private static byte[] varint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
