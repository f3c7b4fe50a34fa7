package dev.rerank4j.eval.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes one-node ONNX models (float tensors, symbolic dimensions) in protobuf wire format, so that probes and
 * tests can build the graph they need at run time instead of shipping binaries: a MatMul for the GEMM probe, an
 * Identity with an unexpected input name for the model-loading checks.
 */
public final class OnnxGraphWriter {

    private static final int FLOAT = 1;

    private OnnxGraphWriter() {
    }

    /** {@code c = MatMul(a, b)} with {@code a: [m, k]}, {@code b: [k, n]}. */
    public static void writeMatMulModel(Path file) {
        write(file, "MatMul", List.of(new Value("a", "m", "k"), new Value("b", "k", "n")), new Value("c", "m", "n"));
    }

    /** {@code y = Identity(input)} over a float vector. */
    public static void writeIdentityModel(Path file, String inputName) {
        write(file, "Identity", List.of(new Value(inputName, "n")), new Value("y", "n"));
    }

    /** A named float tensor with symbolic dimensions. */
    public record Value(String name, String... dims) {
    }

    public static void write(Path file, String opType, List<Value> inputs, Value output) {
        byte[] node = new byte[0];
        for (Value input : inputs) {
            node = concat(node, stringField(1, input.name()));
        }
        node = concat(node, stringField(2, output.name()), stringField(4, opType));
        byte[] graph = concat(bytesField(1, node), stringField(2, "g"));
        for (Value input : inputs) {
            graph = concat(graph, bytesField(11, valueInfo(input)));
        }
        graph = concat(graph, bytesField(12, valueInfo(output)));
        byte[] opset = concat(stringField(1, ""), varintField(2, 14));
        byte[] model = concat(varintField(1, 8), bytesField(7, graph), bytesField(8, opset));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, model);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write ONNX model " + file, e);
        }
    }

    /** ValueInfoProto: name, TypeProto { tensor_type { elem_type, shape { dim { dim_param } ... } } }. */
    private static byte[] valueInfo(Value value) {
        byte[] shape = new byte[0];
        for (String dim : value.dims()) {
            shape = concat(shape, bytesField(1, stringField(2, dim)));
        }
        byte[] tensorType = concat(varintField(1, FLOAT), bytesField(2, shape));
        return concat(stringField(1, value.name()), bytesField(2, bytesField(1, tensorType)));
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
