package dev.rerank4j.crossencoder.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a minimal valid ONNX model (an Identity over one float input named as given) in protobuf wire format, so
 * tests can check how the engine reacts to a model with unexpected inputs without shipping another binary.
 */
public final class OnnxModelWriter {

    private OnnxModelWriter() {
    }

    public static void writeIdentityModel(Path file, String inputName) {
        byte[] tensorType = concat(varintField(1, 1), bytesField(2, bytesField(1, varintField(1, 1))));
        byte[] type = bytesField(1, tensorType);
        byte[] input = concat(stringField(1, inputName), bytesField(2, type));
        byte[] output = concat(stringField(1, "y"), bytesField(2, type));
        byte[] node = concat(stringField(1, inputName), stringField(2, "y"), stringField(4, "Identity"));
        byte[] graph = concat(bytesField(1, node), stringField(2, "g"), bytesField(11, input), bytesField(12, output));
        byte[] opset = concat(stringField(1, ""), varintField(2, 14));
        byte[] model = concat(varintField(1, 8), bytesField(7, graph), bytesField(8, opset));
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
