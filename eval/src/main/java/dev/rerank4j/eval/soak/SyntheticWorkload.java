package dev.rerank4j.eval.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A reproducible rerank workload: {@code queries} queries, each with {@code candidates} first-stage passages drawn
 * from a shared corpus (so passages recur under several queries), and a request stream that picks queries with a
 * Zipf distribution: a few popular queries repeat (cache hits), the long tail brings new pairs. Texts are words of a
 * fixed made-up vocabulary, 5-9 words a query and 20-60 a passage, so token counts look like short web passages.
 */
public final class SyntheticWorkload {

    /** One request: a query and its first-stage passages, best first. */
    public record Request(int queryIndex, String query, List<String> passages) {
    }

    private final List<String> queries = new ArrayList<>();
    private final List<List<String>> candidates = new ArrayList<>();
    private final double[] cumulative;
    private final long seed;

    public SyntheticWorkload(int queryCount, int candidatesPerQuery, double zipfExponent, long seed) {
        if (queryCount < 1 || candidatesPerQuery < 1) {
            throw new IllegalArgumentException("queries and candidates must be >= 1");
        }
        if (!(zipfExponent >= 0)) {
            throw new IllegalArgumentException("zipf exponent must be >= 0, was " + zipfExponent);
        }
        this.seed = seed;
        Random random = new Random(seed);
        List<String> vocabulary = vocabulary(random, 400);
        int corpusSize = Math.max(candidatesPerQuery, queryCount * candidatesPerQuery / 3);
        List<String> corpus = new ArrayList<>(corpusSize);
        for (int i = 0; i < corpusSize; i++) {
            corpus.add("doc" + i + " " + words(random, vocabulary, 20 + random.nextInt(41)));
        }
        for (int q = 0; q < queryCount; q++) {
            queries.add("q" + q + " " + words(random, vocabulary, 5 + random.nextInt(5)));
            List<String> list = new ArrayList<>(candidatesPerQuery);
            while (list.size() < candidatesPerQuery) {
                String passage = corpus.get(random.nextInt(corpusSize));
                if (!list.contains(passage)) {
                    list.add(passage);
                }
            }
            candidates.add(List.copyOf(list));
        }
        cumulative = new double[queryCount];
        double total = 0;
        for (int rank = 0; rank < queryCount; rank++) {
            total += 1.0 / Math.pow(rank + 1, zipfExponent);
            cumulative[rank] = total;
        }
        for (int rank = 0; rank < queryCount; rank++) {
            cumulative[rank] /= total;
        }
    }

    /** {@code count} requests, Zipf over the queries (query 0 the most popular); the same seed, the same stream. */
    public List<Request> stream(int count) {
        Random random = new Random(seed * 31 + 7);
        List<Request> stream = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            stream.add(request(sampleQuery(random.nextDouble())));
        }
        return stream;
    }

    public Request request(int queryIndex) {
        return new Request(queryIndex, queries.get(queryIndex), candidates.get(queryIndex));
    }

    public int queryCount() {
        return queries.size();
    }

    private int sampleQuery(double u) {
        int low = 0;
        int high = cumulative.length - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (cumulative[mid] < u) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private static List<String> vocabulary(Random random, int size) {
        String[] syllables = {"ba", "ce", "di", "fo", "gu", "ha", "ke", "li", "mo", "nu", "pa", "re", "si", "to", "vu",
                "la", "ri", "en", "or", "an", "is", "ul", "em", "ox"};
        List<String> words = new ArrayList<>(size);
        while (words.size() < size) {
            StringBuilder word = new StringBuilder();
            int length = 1 + random.nextInt(3);
            for (int s = 0; s < length; s++) {
                word.append(syllables[random.nextInt(syllables.length)]);
            }
            if (!words.contains(word.toString())) {
                words.add(word.toString());
            }
        }
        return words;
    }

    private static String words(Random random, List<String> vocabulary, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(vocabulary.get(random.nextInt(vocabulary.size())));
        }
        return text.toString();
    }
}
