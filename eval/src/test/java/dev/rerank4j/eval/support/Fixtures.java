package dev.rerank4j.eval.support;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Test resources of this module: the hand-made BEIR set and the tiny cross-encoder. */
public final class Fixtures {

    private Fixtures() {
    }

    public static Path resource(String name) {
        URL url = Fixtures.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("test resource " + name + " is missing");
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 6 documents, 5 queries (q1-q4 judged: q4 only with grade 0), answers.jsonl. */
    public static Path tinyBeir() {
        return resource("beir/tiny");
    }

    public static Path tinyCandidates() {
        return resource("beir/tiny-candidates.tsv");
    }

    public static Path tinyColbert() {
        return resource("models/tiny-colbert");
    }

    public static Path tinyCrossEncoder() {
        return resource("models/tiny-ce");
    }
}
