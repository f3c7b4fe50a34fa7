package dev.rerank4j.crossencoder.runtime.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a small ONNX model (on {@link ProtoWire}), so that a graph can be built at run time without Python or a
 * protobuf library: the benchmark's GEMM probe (one MatMul of the model's shapes) and test fixtures (unexpected
 * inputs, a run slow enough to interrupt). Nodes, initializers, inputs and outputs are written in the order added.
 */
public final class OnnxGraphWriter {

    public static final int FLOAT = OnnxProto.FLOAT;
    public static final int INT64 = OnnxProto.INT64;

    private final ProtoWire.Writer graph = new ProtoWire.Writer();

    public OnnxGraphWriter(String name) {
        graph.string(OnnxProto.GRAPH_NAME, name);
    }

    /** A node {@code output = op(inputs...)} with attributes from {@link #intAttribute} / {@link #intsAttribute}. */
    public OnnxGraphWriter node(String op, List<String> inputs, String output, ProtoWire.Writer... attributes) {
        ProtoWire.Writer node = new ProtoWire.Writer();
        inputs.forEach(input -> node.string(OnnxProto.NODE_INPUT, input));
        node.string(OnnxProto.NODE_OUTPUT, output).string(OnnxProto.NODE_OP_TYPE, op);
        for (ProtoWire.Writer attribute : attributes) {
            node.message(OnnxProto.NODE_ATTRIBUTE, attribute);
        }
        graph.message(OnnxProto.GRAPH_NODE, node);
        return this;
    }

    /** A constant float tensor. */
    public OnnxGraphWriter initializer(String name, long[] dims, float[] values) {
        graph.message(OnnxProto.GRAPH_INITIALIZER, OnnxProto.floatTensor(name, dims, values));
        return this;
    }

    /** A graph input; each dimension a {@link Long} (fixed) or a {@link String} (symbolic). */
    public OnnxGraphWriter input(String name, int elementType, Object... dims) {
        graph.message(OnnxProto.GRAPH_INPUT, valueInfo(name, elementType, dims));
        return this;
    }

    /** A graph output; dimensions as for {@link #input}. */
    public OnnxGraphWriter output(String name, int elementType, Object... dims) {
        graph.message(OnnxProto.GRAPH_OUTPUT, valueInfo(name, elementType, dims));
        return this;
    }

    public static ProtoWire.Writer intAttribute(String name, long value) {
        return OnnxProto.intAttribute(name, value);
    }

    public static ProtoWire.Writer intsAttribute(String name, long... values) {
        return OnnxProto.intsAttribute(name, values);
    }

    /** The model's bytes (IR version 8, default domain at {@code opset}). */
    public byte[] toByteArray(int opset) {
        return new ProtoWire.Writer().varint(1, 8) // ModelProto.ir_version
                .message(OnnxProto.MODEL_GRAPH, graph)
                .message(OnnxProto.MODEL_OPSET_IMPORT, OnnxProto.opset("", opset)).toByteArray();
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
        return OnnxProto.valueInfo(name, elementType, java.util.Arrays.stream(dims).map(OnnxProto::dim).toList());
    }
}
