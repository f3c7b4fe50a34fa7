package dev.rerank4j.crossencoder.model;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The external-data files an ONNX graph references ({@code TensorProto.external_data} entries with key
 * {@code location}, relative to the graph's folder), whatever they are called: {@code model.onnx_data},
 * {@code model.onnx.data}, {@code weights.bin}, one file per tensor... The download fetches exactly these, and
 * the model identity hashes exactly these.
 *
 * <p>Read with a small protobuf wire-format scanner instead of protobuf-java plus generated ONNX classes (a large
 * dependency for five field numbers). It walks the graph's initializers, node attributes and subgraphs, and seeks
 * over everything else, so a multi-gigabyte graph with inline weights is scanned without reading the weights.
 */
public final class OnnxExternalData {

    // field numbers from onnx.proto3
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_SPARSE_INITIALIZER = 15;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int ATTRIBUTE_TENSOR = 5;
    private static final int ATTRIBUTE_GRAPH = 6;
    private static final int ATTRIBUTE_TENSORS = 10;
    private static final int ATTRIBUTE_GRAPHS = 11;
    private static final int ATTRIBUTE_SPARSE_TENSOR = 22;
    private static final int ATTRIBUTE_SPARSE_TENSORS = 23;
    private static final int SPARSE_VALUES = 1;
    private static final int SPARSE_INDICES = 2;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    private static final int ENTRY_KEY = 1;
    private static final int ENTRY_VALUE = 2;
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LENGTH = 2;
    private static final int WIRE_FIXED32 = 5;

    private OnnxExternalData() {
    }

    /**
     * Locations of the external-data files {@code onnxFile} references, relative to its folder, in first-use
     * order, without duplicates. A location that is absolute or leaves the folder is refused.
     */
    public static List<String> locations(Path onnxFile) {
        Set<String> found = new LinkedHashSet<>();
        try (RandomAccessFile file = new RandomAccessFile(onnxFile.toFile(), "r")) {
            Reader reader = new Reader(file);
            scanMessage(reader, file.length(), MessageType.MODEL, found);
        } catch (IOException | IllegalStateException e) {
            throw new ModelLoadException("Cannot read ONNX model file " + onnxFile + " (not an ONNX protobuf?): "
                    + e.getMessage(), e);
        }
        for (String location : found) {
            Path path = Path.of(location).normalize();
            if (path.isAbsolute() || path.startsWith("..") || location.contains("\\")) {
                throw new ModelLoadException("ONNX model file " + onnxFile + " references external data '" + location
                        + "' outside its folder; only relative locations below the model's folder are supported");
            }
        }
        return List.copyOf(found);
    }

    private enum MessageType { MODEL, GRAPH, NODE, ATTRIBUTE, SPARSE_TENSOR, TENSOR, ENTRY }

    private static void scanMessage(Reader in, long end, MessageType type, Set<String> found) throws IOException {
        String key = null;
        String value = null;
        while (in.position() < end) {
            long tag = in.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (wire != WIRE_LENGTH) {
                in.skipValue(wire);
                continue;
            }
            long length = in.varint();
            long fieldEnd = in.position() + length;
            if (length < 0 || fieldEnd > end) {
                throw new IllegalStateException("field " + field + " runs past its message");
            }
            MessageType child = child(type, field);
            if (child != null) {
                scanMessage(in, fieldEnd, child, found);
            } else if (type == MessageType.ENTRY && (field == ENTRY_KEY || field == ENTRY_VALUE)) {
                String text = in.string((int) length);
                if (field == ENTRY_KEY) {
                    key = text;
                } else {
                    value = text;
                }
            }
            in.seek(fieldEnd);
        }
        if (type == MessageType.ENTRY && "location".equals(key) && value != null) {
            found.add(value);
        }
    }

    /** The nested message a length-delimited field holds, when it can lead to external data; else null. */
    private static MessageType child(MessageType parent, int field) {
        return switch (parent) {
            case MODEL -> field == MODEL_GRAPH ? MessageType.GRAPH : null;
            case GRAPH -> switch (field) {
                case GRAPH_NODE -> MessageType.NODE;
                case GRAPH_INITIALIZER -> MessageType.TENSOR;
                case GRAPH_SPARSE_INITIALIZER -> MessageType.SPARSE_TENSOR;
                default -> null;
            };
            case NODE -> field == NODE_ATTRIBUTE ? MessageType.ATTRIBUTE : null;
            case ATTRIBUTE -> switch (field) {
                case ATTRIBUTE_TENSOR, ATTRIBUTE_TENSORS -> MessageType.TENSOR;
                case ATTRIBUTE_GRAPH, ATTRIBUTE_GRAPHS -> MessageType.GRAPH;
                case ATTRIBUTE_SPARSE_TENSOR, ATTRIBUTE_SPARSE_TENSORS -> MessageType.SPARSE_TENSOR;
                default -> null;
            };
            case SPARSE_TENSOR -> field == SPARSE_VALUES || field == SPARSE_INDICES ? MessageType.TENSOR : null;
            case TENSOR -> field == TENSOR_EXTERNAL_DATA ? MessageType.ENTRY : null;
            case ENTRY -> null;
        };
    }

    /** Buffered reads with cheap seeks over a file. */
    private static final class Reader {
        private final RandomAccessFile file;
        private final byte[] buffer = new byte[1 << 16];
        private long bufferStart;
        private int bufferLength;
        private long position;

        Reader(RandomAccessFile file) {
            this.file = file;
        }

        long position() {
            return position;
        }

        void seek(long newPosition) {
            position = newPosition;
        }

        int read() throws IOException {
            if (position < bufferStart || position >= bufferStart + bufferLength) {
                file.seek(position);
                bufferStart = position;
                bufferLength = Math.max(0, file.read(buffer));
                if (bufferLength == 0) {
                    throw new EOFException("unexpected end of file at byte " + position);
                }
            }
            return buffer[(int) (position++ - bufferStart)] & 0xFF;
        }

        long varint() throws IOException {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = read();
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("malformed varint at byte " + position);
        }

        String string(int length) throws IOException {
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = (byte) read();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }

        void skipValue(int wire) throws IOException {
            switch (wire) {
                case WIRE_VARINT -> varint();
                case WIRE_FIXED64 -> position += 8;
                case WIRE_FIXED32 -> position += 4;
                default -> throw new IllegalStateException("unsupported wire type " + wire + " at byte " + position);
            }
        }
    }
}
