package dev.rerank4j.eval.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * First-stage candidate lists from a TSV file ({@code query-id, corpus-id, rank, score}, header optional), as in
 * {@code ../shared/models/candidates/<set>-<split>.tsv}. Lists are ordered by rank.
 */
public final class CandidateLists {

    /** One first-stage hit. */
    public record Candidate(String docId, double score) {
    }

    private CandidateLists() {
    }

    public static Map<String, List<Candidate>> read(Path file) {
        ensureNotNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("candidate file " + file + " does not exist");
        }
        Map<String, List<int[]>> ranks = new LinkedHashMap<>();
        Map<String, List<Candidate>> lists = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (number == 1 && f[0].trim().equalsIgnoreCase("query-id")) {
                    continue;
                }
                if (f.length != 4) {
                    throw new BeirFormatException(file, number,
                            "expected 4 tab-separated fields (query-id, corpus-id, rank, score), found " + f.length);
                }
                int rank;
                double score;
                try {
                    rank = Integer.parseInt(f[2].trim());
                    score = Double.parseDouble(f[3].trim());
                } catch (NumberFormatException e) {
                    throw new BeirFormatException(file, number, "rank must be an integer and score a number");
                }
                List<Candidate> list = lists.computeIfAbsent(f[0].trim(), k -> new ArrayList<>());
                ranks.computeIfAbsent(f[0].trim(), k -> new ArrayList<>()).add(new int[]{rank, list.size()});
                list.add(new Candidate(f[1].trim(), score));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, List<Candidate>> sorted = new LinkedHashMap<>();
        lists.forEach((query, list) -> {
            List<int[]> order = ranks.get(query);
            order.sort((a, b) -> Integer.compare(a[0], b[0]));
            List<Candidate> ordered = new ArrayList<>(list.size());
            for (int[] r : order) {
                ordered.add(list.get(r[1]));
            }
            sorted.put(query, Collections.unmodifiableList(ordered));
        });
        return Collections.unmodifiableMap(sorted);
    }
}
