package dev.rerank4j.crossencoder.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The cache key of one score: the full SHA-256 of (model identity, query, passage), each field UTF-8 and
 * length-prefixed, so different triples never encode to the same bytes. The local and the shared cache use the
 * same key; the shared one stores it as {@link #hex()} after a deployment prefix.
 */
public final class ScoreKey {

    private final byte[] sha256;
    private final int hash;

    private ScoreKey(byte[] sha256) {
        this.sha256 = sha256;
        this.hash = Arrays.hashCode(sha256);
    }

    public static ScoreKey of(String modelIdentity, String query, String passage) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        for (String field : new String[]{modelIdentity, query, passage}) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
            digest.update(bytes);
        }
        return new ScoreKey(digest.digest());
    }

    /** The 32 digest bytes (a copy). */
    public byte[] bytes() {
        return sha256.clone();
    }

    /** The digest as 64 lower-case hex digits. */
    public String hex() {
        return HexFormat.of().formatHex(sha256);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScoreKey key && Arrays.equals(sha256, key.sha256);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return hex();
    }
}
