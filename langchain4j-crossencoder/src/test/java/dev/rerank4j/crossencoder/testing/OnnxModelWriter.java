package dev.rerank4j.crossencoder.testing;

import dev.rerank4j.crossencoder.runtime.internal.ProtoWire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes minimal valid ONNX models (an Identity from one float input to one output) in protobuf wire format, so
 * tests can check how the engine reacts to unexpected inputs or outputs without shipping another binary.
 */
public final class OnnxModelWriter {

    private OnnxModelWriter() {
    }

    /** An Identity over a float input {@code inputName} of shape [1], output "y", written to {@code file}. */
    public static void writeIdentityModel(Path file, String inputName) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, identityModel(inputName, "y", 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of an Identity model whose float input and output have {@code rank} symbolic dimensions (1: [1]). */
    public static byte[] identityModel(String inputName, String outputName, int rank) {
        ProtoWire.Writer shape = new ProtoWire.Writer();
        for (int i = 0; i < rank; i++) {
            shape.message(1, rank == 1 ? new ProtoWire.Writer().varint(1, 1) : new ProtoWire.Writer().string(2, "d" + i));
        }
        ProtoWire.Writer tensorType = new ProtoWire.Writer().varint(1, 1).message(2, shape);
        ProtoWire.Writer graph = new ProtoWire.Writer()
                .message(1, new ProtoWire.Writer().string(1, inputName).string(2, outputName).string(4, "Identity"))
                .string(2, "g")
                .message(11, new ProtoWire.Writer().string(1, inputName)
                        .message(2, new ProtoWire.Writer().message(1, tensorType)))
                .message(12, new ProtoWire.Writer().string(1, outputName)
                        .message(2, new ProtoWire.Writer().message(1, tensorType)));
        return new ProtoWire.Writer().varint(1, 8).message(7, graph)
                .message(8, new ProtoWire.Writer().string(1, "").varint(2, 14)).toByteArray();
    }
}
