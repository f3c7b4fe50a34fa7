package dev.rerank4j.eval.bench.cascade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BEIR-layout data set ({@code corpus.jsonl}, {@code queries.jsonl}, {@code qrels/SPLIT.tsv}), just enough for
 * the cascade's benchmark and tests. Passage text is {@code title + " " + text} (the BEIR convention).
 */
public final class BeirSet {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<String, Doc> corpus;
    private final Map<String, String> queries;

    private BeirSet(Map<String, Doc> corpus, Map<String, String> queries) {
        this.corpus = corpus;
        this.queries = queries;
    }

    /** One corpus entry. */
    public record Doc(String id, String title, String text) {

        public String passage() {
            return title == null || title.isEmpty() ? text : title + " " + text;
        }

        /** As a LangChain4j document: passage text, metadata {@code id} and {@code title}. */
        public Document toDocument() {
            return Document.from(passage(), Metadata.from(Map.of("id", id, "title", title == null ? "" : title)));
        }
    }

    public static BeirSet load(Path dir) {
        Path corpusFile = require(dir.resolve("corpus.jsonl"));
        Path queriesFile = require(dir.resolve("queries.jsonl"));
        Map<String, Doc> corpus = new LinkedHashMap<>();
        readJsonLines(corpusFile, node -> corpus.put(node.get("_id").asText(),
                new Doc(node.get("_id").asText(), node.path("title").asText(""), node.path("text").asText(""))));
        Map<String, String> queries = new LinkedHashMap<>();
        readJsonLines(queriesFile, node -> queries.put(node.get("_id").asText(), node.get("text").asText()));
        return new BeirSet(corpus, queries);
    }

    private static Path require(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("BEIR file not found: " + file.toAbsolutePath());
        }
        return file;
    }

    private static void readJsonLines(Path file, java.util.function.Consumer<JsonNode> consumer) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    consumer.accept(MAPPER.readTree(line));
                } catch (IOException | RuntimeException e) {
                    throw new IllegalArgumentException(file + ":" + lineNumber + ": not a valid record: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    /** query id → (doc id → grade), queries in file order. */
    public static Map<String, Map<String, Integer>> qrels(Path file) {
        Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
        for (String[] row : tsv(require(file))) {
            qrels.computeIfAbsent(row[0], q -> new LinkedHashMap<>()).put(row[1], Integer.parseInt(row[2].trim()));
        }
        return qrels;
    }

    /** Reference first-stage lists ({@code query-id, corpus-id, rank, score}): query id → doc ids by rank. */
    public static Map<String, List<String>> candidates(Path file) {
        Map<String, List<String>> lists = new LinkedHashMap<>();
        Map<String, List<int[]>> ranks = new LinkedHashMap<>();
        List<String[]> rows = tsv(require(file));
        for (String[] row : rows) {
            lists.computeIfAbsent(row[0], q -> new ArrayList<>()).add(row[1]);
            ranks.computeIfAbsent(row[0], q -> new ArrayList<>()).add(new int[]{Integer.parseInt(row[2].trim())});
        }
        // Files are written in rank order; check rather than trust it.
        ranks.forEach((query, r) -> {
            for (int i = 0; i < r.size(); i++) {
                if (r.get(i)[0] != i + 1) {
                    throw new IllegalArgumentException(file + ": ranks of query " + query + " are not 1, 2, 3, ...");
                }
            }
        });
        return lists;
    }

    private static List<String[]> tsv(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String[]> rows = new ArrayList<>();
            for (int i = 1; i < lines.size(); i++) { // skip the header
                if (!lines.get(i).isBlank()) {
                    String[] row = lines.get(i).split("\t");
                    if (row.length < 3) {
                        throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected at least 3 tab-separated fields");
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    public Map<String, Doc> corpus() {
        return corpus;
    }

    public Map<String, String> queries() {
        return queries;
    }

    public Doc doc(String id) {
        Doc doc = corpus.get(id);
        if (doc == null) {
            throw new IllegalArgumentException("No document '" + id + "' in the corpus");
        }
        return doc;
    }

    /** Documents with these ids, in corpus order (a slice keeps the corpus' relative order). */
    public List<Document> documents(Collection<String> ids) {
        java.util.Set<String> wanted = new java.util.HashSet<>(ids);
        List<Document> documents = new ArrayList<>();
        corpus.values().forEach(doc -> {
            if (wanted.contains(doc.id())) {
                documents.add(doc.toDocument());
            }
        });
        return documents;
    }

    /** nDCG@k with linear gains (trec_eval / pytrec_eval {@code ndcg_cut}); grade 0 counts as not relevant. */
    public static double ndcg(List<String> ranked, Map<String, Integer> judgements, int k) {
        double dcg = 0;
        for (int i = 0; i < Math.min(k, ranked.size()); i++) {
            int grade = judgements.getOrDefault(ranked.get(i), 0);
            dcg += grade / (Math.log(i + 2) / Math.log(2));
        }
        List<Integer> ideal = judgements.values().stream().filter(g -> g > 0)
                .sorted(java.util.Comparator.reverseOrder()).toList();
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.size()); i++) {
            idcg += ideal.get(i) / (Math.log(i + 2) / Math.log(2));
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }
}
