package dev.rerank4j.crossencoder.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes a "fine-tune" of an ONNX model for tests: the same graph and config, every float weight stored in the file
 * scaled by a factor. The file keeps its size and structure (raw tensor bytes are rewritten in place), so it loads
 * like the original and gives slightly different outputs.
 */
public final class OnnxWeights {

    private static final int GRAPH = 7;
    private static final int INITIALIZER = 5;
    private static final int DATA_TYPE = 2;
    private static final int RAW_DATA = 9;
    private static final int FLOAT = 1;

    private OnnxWeights() {
    }

    /** Writes {@code out}: {@code in} with its float initializers times {@code factor}; returns how many changed. */
    public static int scaleFloatWeights(Path in, Path out, float factor) {
        try {
            byte[] model = Files.readAllBytes(in);
            int[] changed = {0};
            walk(model, 0, model.length, (field, start, end) -> {
                if (field == GRAPH) {
                    walk(model, start, end, (graphField, tensorStart, tensorEnd) -> {
                        if (graphField == INITIALIZER && scaleIfFloat(model, tensorStart, tensorEnd, factor)) {
                            changed[0]++;
                        }
                    });
                }
            });
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.write(out, model);
            return changed[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean scaleIfFloat(byte[] model, int start, int end, float factor) {
        long[] dataType = {-1};
        int[] raw = {-1, -1};
        walkWithVarints(model, start, end, (field, value) -> {
            if (field == DATA_TYPE) {
                dataType[0] = value;
            }
        }, (field, from, to) -> {
            if (field == RAW_DATA) {
                raw[0] = from;
                raw[1] = to;
            }
        });
        if (dataType[0] != FLOAT || raw[0] < 0) {
            return false;
        }
        ByteBuffer floats = ByteBuffer.wrap(model).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = raw[0]; p + Float.BYTES <= raw[1]; p += Float.BYTES) {
            floats.putFloat(p, floats.getFloat(p) * factor);
        }
        return true;
    }

    private interface BytesField {
        void visit(int field, int start, int end);
    }

    private interface VarintField {
        void visit(int field, long value);
    }

    private static void walk(byte[] b, int from, int to, BytesField bytes) {
        walkWithVarints(b, from, to, (field, value) -> { }, bytes);
    }

    /** Visits the fields of one protobuf message in {@code b[from, to)}. */
    private static void walkWithVarints(byte[] b, int from, int to, VarintField varints, BytesField bytes) {
        int p = from;
        while (p < to) {
            long[] key = varint(b, p);
            p = (int) key[1];
            int field = (int) (key[0] >>> 3);
            switch ((int) (key[0] & 7)) {
                case 0 -> {
                    long[] value = varint(b, p);
                    varints.visit(field, value[0]);
                    p = (int) value[1];
                }
                case 1 -> p += 8;
                case 2 -> {
                    long[] length = varint(b, p);
                    int start = (int) length[1];
                    int end = start + (int) length[0];
                    bytes.visit(field, start, end);
                    p = end;
                }
                case 5 -> p += 4;
                default -> throw new IllegalArgumentException("unsupported protobuf wire type at byte " + p);
            }
        }
    }

    /** The varint at {@code p}: {value, position after it}. */
    private static long[] varint(byte[] b, int p) {
        long value = 0;
        int shift = 0;
        while (true) {
            byte next = b[p++];
            value |= (long) (next & 0x7F) << shift;
            if ((next & 0x80) == 0) {
                return new long[] {value, p};
            }
            shift += 7;
        }
    }
}
