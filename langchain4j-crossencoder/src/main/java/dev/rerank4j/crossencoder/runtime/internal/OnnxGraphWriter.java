package dev.rerank4j.crossencoder.runtime.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a small ONNX model (on {@link ProtoWire}), so that a graph can be built at run time without Python or a
 * protobuf library: the benchmark's GEMM probe (one MatMul of the model's shapes) and test fixtures (unexpected
 * inputs, a run slow enough to interrupt). Nodes, initializers, inputs and outputs are written in the order added.
 */
public final class OnnxGraphWriter {

    public static final int FLOAT = 1;
    public static final int INT64 = 7;
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_INTS = 7;

    private final ProtoWire.Writer graph = new ProtoWire.Writer();

    public OnnxGraphWriter(String name) {
        graph.string(2, name);
    }

    /** A node {@code output = op(inputs...)} with attributes from {@link #intAttribute} / {@link #intsAttribute}. */
    public OnnxGraphWriter node(String op, List<String> inputs, String output, ProtoWire.Writer... attributes) {
        ProtoWire.Writer node = new ProtoWire.Writer();
        inputs.forEach(input -> node.string(1, input));
        node.string(2, output).string(4, op);
        for (ProtoWire.Writer attribute : attributes) {
            node.message(5, attribute);
        }
        graph.message(1, node);
        return this;
    }

    /** A constant float tensor. */
    public OnnxGraphWriter initializer(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            raw.putFloat(value);
        }
        ProtoWire.Writer tensor = new ProtoWire.Writer();
        for (long dim : dims) {
            tensor.varint(1, dim);
        }
        tensor.varint(2, FLOAT).string(8, name).bytes(9, raw.array());
        graph.message(5, tensor);
        return this;
    }

    /** A graph input; each dimension a {@link Long} (fixed) or a {@link String} (symbolic). */
    public OnnxGraphWriter input(String name, int elementType, Object... dims) {
        graph.message(11, valueInfo(name, elementType, dims));
        return this;
    }

    /** A graph output; dimensions as for {@link #input}. */
    public OnnxGraphWriter output(String name, int elementType, Object... dims) {
        graph.message(12, valueInfo(name, elementType, dims));
        return this;
    }

    public static ProtoWire.Writer intAttribute(String name, long value) {
        return new ProtoWire.Writer().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT);
    }

    public static ProtoWire.Writer intsAttribute(String name, long... values) {
        ProtoWire.Writer attribute = new ProtoWire.Writer().string(1, name);
        for (long value : values) {
            attribute.varint(8, value);
        }
        return attribute.varint(20, ATTRIBUTE_INTS);
    }

    /** The model's bytes (IR version 8, default domain at {@code opset}). */
    public byte[] toByteArray(int opset) {
        ProtoWire.Writer opsetImport = new ProtoWire.Writer().string(1, "").varint(2, opset);
        return new ProtoWire.Writer().varint(1, 8).message(7, graph).message(8, opsetImport).toByteArray();
    }

    /** Writes the model ({@link #toByteArray}), creating parent folders. */
    public void write(Path file, int opset) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, toByteArray(opset));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write ONNX model " + file, e);
        }
    }

    private static ProtoWire.Writer valueInfo(String name, int elementType, Object... dims) {
        ProtoWire.Writer shape = new ProtoWire.Writer();
        for (Object dim : dims) {
            ProtoWire.Writer dimension = new ProtoWire.Writer();
            if (dim instanceof Number value) {
                dimension.varint(1, value.longValue());
            } else if (dim instanceof String param) {
                dimension.string(2, param);
            } else {
                throw new IllegalArgumentException("dimension " + dim + " is neither a number nor a name");
            }
            shape.message(1, dimension);
        }
        ProtoWire.Writer tensorType = new ProtoWire.Writer().varint(1, elementType).message(2, shape);
        return new ProtoWire.Writer().string(1, name).message(2, new ProtoWire.Writer().message(1, tensorType));
    }
}
