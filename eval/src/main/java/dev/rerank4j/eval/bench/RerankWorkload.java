package dev.rerank4j.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rerank requests from a BEIR-layout set and a first-stage candidate list ({@code query-id, corpus-id, rank,
 * score} TSV): each request is one query with the texts of its top-N candidates (passage = title + " " + text).
 */
public record RerankWorkload(List<Request> requests) {

    public record Request(String queryId, String query, List<String> passages) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * @param everyKth take every k-th judged query in file order (1 = all), then at most {@code maxQueries}
     */
    public static RerankWorkload load(Path dataDir, Path candidatesTsv, int depth, int maxQueries, int everyKth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, was " + depth);
        }
        Map<String, List<String>> candidates = readCandidates(candidatesTsv, depth);
        List<String> queryIds = new ArrayList<>();
        int index = 0;
        for (String queryId : candidates.keySet()) {
            if (index++ % Math.max(1, everyKth) == 0 && queryIds.size() < maxQueries) {
                queryIds.add(queryId);
            }
        }
        Set<String> neededDocs = new HashSet<>();
        queryIds.forEach(q -> neededDocs.addAll(candidates.get(q)));
        Map<String, String> queries = readJsonl(dataDir.resolve("queries.jsonl"), new HashSet<>(queryIds), false);
        Map<String, String> docs = readJsonl(dataDir.resolve("corpus.jsonl"), neededDocs, true);
        List<Request> requests = new ArrayList<>();
        for (String queryId : queryIds) {
            String query = queries.get(queryId);
            if (query == null) {
                throw new IllegalArgumentException("query " + queryId + " from " + candidatesTsv + " is not in "
                        + dataDir.resolve("queries.jsonl"));
            }
            List<String> passages = new ArrayList<>();
            for (String docId : candidates.get(queryId)) {
                String text = docs.get(docId);
                if (text == null) {
                    throw new IllegalArgumentException("document " + docId + " from " + candidatesTsv + " is not in "
                            + dataDir.resolve("corpus.jsonl"));
                }
                passages.add(text);
            }
            requests.add(new Request(queryId, query, List.copyOf(passages)));
        }
        return new RerankWorkload(List.copyOf(requests));
    }

    public int pairs() {
        return requests.stream().mapToInt(r -> r.passages().size()).sum();
    }

    private static Map<String, List<String>> readCandidates(Path tsv, int depth) {
        Map<String, List<String>> byQuery = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                String[] cols = line.split("\t");
                if (number == 1 && !cols[cols.length - 1].matches("-?[0-9.eE+-]+")) {
                    continue; // header
                }
                if (cols.length < 3) {
                    throw new IllegalArgumentException(tsv + ":" + number + ": expected query-id, corpus-id, rank[, score]");
                }
                List<String> list = byQuery.computeIfAbsent(cols[0], q -> new ArrayList<>());
                if (list.size() < depth) {
                    list.add(cols[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read candidates " + tsv, e);
        }
        return byQuery;
    }

    private static Map<String, String> readJsonl(Path file, Set<String> ids, boolean withTitle) {
        Map<String, String> texts = new HashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = MAPPER.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(file + ":" + number + ": malformed JSON: " + e.getMessage());
                }
                String id = node.path("_id").asText();
                if (ids.contains(id)) {
                    String title = withTitle ? node.path("title").asText("") : "";
                    String text = node.path("text").asText("");
                    texts.put(id, title.isEmpty() ? text : title + " " + text);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return texts;
    }
}
