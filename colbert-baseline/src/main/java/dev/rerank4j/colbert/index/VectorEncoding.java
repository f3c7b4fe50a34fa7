package dev.rerank4j.colbert.index;

/** How an index stores each vector component. */
public enum VectorEncoding {
    /** IEEE half precision: 2 bytes a component, relative error below 2^-11. */
    FLOAT16(1),
    /**
     * Symmetric int8 with one float scale per vector (max |component| / 127): 1 byte a component plus 4 bytes a
     * vector; about half the size of FLOAT16, with a small measured loss (see the README).
     */
    INT8(2);

    private final int code;

    VectorEncoding(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    /** Bytes one vector of {@code dim} components takes on disk. */
    public int bytesPerVector(int dim) {
        return this == FLOAT16 ? 2 * dim : dim + Float.BYTES;
    }

    static VectorEncoding fromCode(int code) {
        for (VectorEncoding encoding : values()) {
            if (encoding.code == code) {
                return encoding;
            }
        }
        return null;
    }
}
