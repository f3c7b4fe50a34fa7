package dev.rerank4j.crossencoder.runtime.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 and Git blob ids of files, streamed (model files can be gigabytes). */
public final class Digests {

    private Digests() {
    }

    public static MessageDigest sha256() {
        return digest("SHA-256");
    }

    /** Lower-case hex SHA-256 of a file's bytes. */
    public static String sha256Hex(Path file) {
        MessageDigest digest = sha256();
        update(digest, file);
        return hex(digest);
    }

    /** The Git object id of a file stored as a plain blob: SHA-1 of {@code "blob <size>\0"} + the bytes. */
    public static String gitBlobSha1Hex(Path file) {
        MessageDigest digest;
        try {
            digest = gitBlobSha1(Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        update(digest, file);
        return hex(digest);
    }

    /** A SHA-1 digest primed with Git's blob header for content of {@code size} bytes; feed it the content. */
    public static MessageDigest gitBlobSha1(long size) {
        MessageDigest digest = digest("SHA-1");
        digest.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
        return digest;
    }

    /** Feeds a file's bytes into the digest. */
    public static void update(MessageDigest digest, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available in this JVM", e);
        }
    }
}
