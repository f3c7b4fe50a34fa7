package dev.rerank4j.eval.pipeline;

import dev.rerank4j.eval.data.Document;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** Cache file names: SHA-256 of a model identity and every (id, passage) of the corpus, in corpus order. */
final class CacheKeys {

    private CacheKeys() {
    }

    static String of(Map<String, Document> corpus, String modelId) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(modelId.getBytes(StandardCharsets.UTF_8));
            for (Document doc : corpus.values()) {
                digest.update((byte) 0);
                digest.update(doc.id().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(doc.passage().getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
