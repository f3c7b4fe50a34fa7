package dev.rerank4j.crossencoder.runtime.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The protobuf wire format, just enough to edit an ONNX graph in memory without protobuf-java and generated ONNX
 * classes: split a message into its fields (kept as byte ranges, so untouched fields are copied verbatim) and
 * write new ones. {@link OnnxGraphWriter} builds small ONNX models on it.
 */
public final class ProtoWire {

    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH = 2;
    public static final int FIXED32 = 5;

    private ProtoWire() {
    }

    /**
     * One field of a message: its number, wire type, the whole field's bytes ({@code [start, end)}, tag
     * included) and, for varints, the value or, for length-delimited fields, the payload range.
     */
    public record Field(byte[] bytes, int number, int wire, int start, int end, long varint, int payloadStart) {

        public byte[] payload() {
            return java.util.Arrays.copyOfRange(bytes, payloadStart, end);
        }

        public String string() {
            return new String(bytes, payloadStart, end - payloadStart, StandardCharsets.UTF_8);
        }

        public List<Field> message() {
            return fields(bytes, payloadStart, end);
        }

        void copyTo(ByteArrayOutputStream out) {
            out.write(bytes, start, end - start);
        }
    }

    /** The fields of the message in {@code bytes[from, to)}, in order. */
    public static List<Field> fields(byte[] bytes, int from, int to) {
        List<Field> fields = new ArrayList<>();
        int[] at = {from};
        while (at[0] < to) {
            int start = at[0];
            long tag = varint(bytes, at, to);
            int number = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            long value = 0;
            int payload = at[0];
            switch (wire) {
                case VARINT -> value = varint(bytes, at, to);
                case FIXED64 -> at[0] += 8;
                case FIXED32 -> at[0] += 4;
                case LENGTH -> {
                    long length = varint(bytes, at, to);
                    payload = at[0];
                    if (length < 0 || payload + length > to) {
                        throw new IllegalStateException("field " + number + " at byte " + start + " runs past its message");
                    }
                    at[0] = (int) (payload + length);
                }
                default -> throw new IllegalStateException("unsupported wire type " + wire + " at byte " + start);
            }
            if (at[0] > to) {
                throw new IllegalStateException("field " + number + " at byte " + start + " runs past its message");
            }
            fields.add(new Field(bytes, number, wire, start, at[0], value, payload));
        }
        return fields;
    }

    private static long varint(byte[] bytes, int[] at, int to) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at[0] >= to) {
                throw new IllegalStateException("truncated varint at byte " + at[0]);
            }
            int b = bytes[at[0]++] & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalStateException("malformed varint at byte " + at[0]);
    }

    /** Writes fields of a new message. */
    public static final class Writer {
        private final ByteArrayOutputStream out;

        public Writer() {
            this(32);
        }

        /** A writer that expects about {@code bytes} bytes (a whole model: no regrowing while copying it). */
        public Writer(int bytes) {
            out = new ByteArrayOutputStream(Math.max(32, bytes));
        }

        public Writer varint(int number, long value) {
            tag(number, VARINT);
            rawVarint(value);
            return this;
        }

        /** A 32-bit field (e.g. a float's bits), little-endian. */
        public Writer fixed32(int number, int value) {
            tag(number, FIXED32);
            for (int i = 0; i < 4; i++) {
                out.write((value >>> (8 * i)) & 0xFF);
            }
            return this;
        }

        public Writer string(int number, String value) {
            return bytes(number, value.getBytes(StandardCharsets.UTF_8));
        }

        public Writer message(int number, Writer message) {
            tag(number, LENGTH);
            rawVarint(message.out.size());
            try {
                message.out.writeTo(out); // no intermediate copy of a large nested message
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e); // a byte array stream does not fail
            }
            return this;
        }

        public Writer bytes(int number, byte[] value) {
            tag(number, LENGTH);
            rawVarint(value.length);
            out.write(value, 0, value.length);
            return this;
        }

        public Writer copy(Field field) {
            field.copyTo(out);
            return this;
        }

        private void tag(int number, int wire) {
            rawVarint(((long) number << 3) | wire);
        }

        private void rawVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }

        public byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
