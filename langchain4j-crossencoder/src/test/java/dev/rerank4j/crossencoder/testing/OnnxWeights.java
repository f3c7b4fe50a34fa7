package dev.rerank4j.crossencoder.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rewrites ONNX models for tests. A "fine-tune": the same graph and config, every float weight stored in the file
 * scaled by a factor (raw tensor bytes rewritten in place, so it loads like the original and gives slightly
 * different outputs). External data: the same model with its weights moved out of the graph into a named file, the
 * way large models are published.
 */
public final class OnnxWeights {

    private static final int GRAPH = 7;
    private static final int INITIALIZER = 5;
    private static final int DATA_TYPE = 2;
    private static final int RAW_DATA = 9;
    private static final int FLOAT = 1;
    private static final int EXTERNAL_DATA = 13;
    private static final int DATA_LOCATION = 14;

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

    /**
     * Writes {@code outGraph}: {@code in} with the raw bytes of every initializer moved into {@code location} (a
     * file beside {@code outGraph}) and referenced from the graph as ONNX external data; returns how many moved.
     */
    public static int moveWeightsToExternalData(Path in, Path outGraph, String location) {
        try {
            byte[] model = Files.readAllBytes(in);
            java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
            int[] moved = {0};
            byte[] rewritten = rebuild(model, 0, model.length, (field, start, end) -> field != GRAPH ? null
                    : rebuild(model, start, end, (graphField, tensorStart, tensorEnd) -> graphField != INITIALIZER ? null
                    : externalTensor(model, tensorStart, tensorEnd, data, location, moved)));
            Files.createDirectories(outGraph.toAbsolutePath().getParent());
            Files.write(outGraph, rewritten);
            Files.write(outGraph.resolveSibling(location), data.toByteArray());
            return moved[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returned by a {@link Rewrite} to leave the field out. */
    private static final byte[] DROP = new byte[0];

    /** A length-delimited field's new content, null to copy it unchanged, or {@link #DROP}. */
    private interface Rewrite {
        byte[] content(int field, int start, int end);
    }

    /** The message in {@code b[from, to)} with its length-delimited fields rewritten as {@code rewrite} says. */
    private static byte[] rebuild(byte[] b, int from, int to, Rewrite rewrite) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int p = from;
        while (p < to) {
            int fieldStart = p;
            long[] key = varint(b, p);
            p = (int) key[1];
            int field = (int) (key[0] >>> 3);
            int wire = (int) (key[0] & 7);
            byte[] replaced = null;
            switch (wire) {
                case 0 -> p = (int) varint(b, p)[1];
                case 1 -> p += 8;
                case 2 -> {
                    long[] length = varint(b, p);
                    int start = (int) length[1];
                    p = start + (int) length[0];
                    replaced = rewrite.content(field, start, p);
                }
                case 5 -> p += 4;
                default -> throw new IllegalArgumentException("unsupported protobuf wire type at byte " + p);
            }
            if (replaced == null) {
                out.write(b, fieldStart, p - fieldStart);
            } else if (replaced != DROP) {
                writeBytesField(out, field, replaced);
            }
        }
        return out.toByteArray();
    }

    private static byte[] externalTensor(byte[] b, int start, int end, java.io.ByteArrayOutputStream data,
                                         String location, int[] moved) {
        int[] raw = {-1, -1};
        walk(b, start, end, (field, from, to) -> {
            if (field == RAW_DATA) {
                raw[0] = from;
                raw[1] = to;
            }
        });
        if (raw[0] < 0) {
            return null;
        }
        long offset = data.size();
        data.write(b, raw[0], raw[1] - raw[0]);
        moved[0]++;
        java.io.ByteArrayOutputStream tensor = new java.io.ByteArrayOutputStream();
        tensor.writeBytes(rebuild(b, start, end, (field, from, to) -> field == RAW_DATA ? DROP : null));
        for (String[] entry : new String[][] {{"location", location}, {"offset", Long.toString(offset)},
                {"length", Integer.toString(raw[1] - raw[0])}}) {
            java.io.ByteArrayOutputStream pair = new java.io.ByteArrayOutputStream();
            writeBytesField(pair, 1, entry[0].getBytes(java.nio.charset.StandardCharsets.UTF_8));
            writeBytesField(pair, 2, entry[1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
            writeBytesField(tensor, EXTERNAL_DATA, pair.toByteArray());
        }
        writeVarint(tensor, ((long) DATA_LOCATION << 3));
        writeVarint(tensor, 1); // EXTERNAL
        return tensor.toByteArray();
    }

    private static void writeBytesField(java.io.ByteArrayOutputStream out, int field, byte[] content) {
        writeVarint(out, ((long) field << 3) | 2);
        writeVarint(out, content.length);
        out.writeBytes(content);
    }

    private static void writeVarint(java.io.ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
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
