package dev.rerank4j.eval.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
import java.util.Optional;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * A data set in BEIR layout: {@code corpus.jsonl}, {@code queries.jsonl}, {@code qrels/<split>.tsv} and, for QA
 * sets, {@code answers.jsonl}. Loading validates every line and reports problems as {@link BeirFormatException}
 * with file and line number.
 */
public final class BeirDataset {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String name;
    private final String split;
    private final Path directory;
    private final Map<String, Document> corpus;
    private final Map<String, Query> queries;
    private final Map<String, Map<String, Integer>> qrels;
    private final Map<String, AnswerKey> answers;

    private BeirDataset(Path directory, String split, Map<String, Document> corpus, Map<String, Query> queries,
                        Map<String, Map<String, Integer>> qrels, Map<String, AnswerKey> answers) {
        this.directory = directory;
        this.name = directory.toAbsolutePath().normalize().getFileName().toString();
        this.split = split;
        this.corpus = Collections.unmodifiableMap(corpus);
        this.queries = Collections.unmodifiableMap(queries);
        this.qrels = Collections.unmodifiableMap(qrels);
        this.answers = answers == null ? null : Collections.unmodifiableMap(answers);
    }

    /** Loads the set in {@code directory} with the judgements of {@code split}. */
    public static BeirDataset load(Path directory, String split) {
        ensureNotNull(directory, "directory");
        if (split == null || split.isBlank()) {
            throw new IllegalArgumentException("split cannot be blank");
        }
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("data directory " + directory + " does not exist");
        }
        Path corpusFile = require(directory.resolve("corpus.jsonl"));
        Path queriesFile = require(directory.resolve("queries.jsonl"));
        Path qrelsFile = directory.resolve("qrels").resolve(split + ".tsv");
        if (!Files.isRegularFile(qrelsFile)) {
            throw new IllegalArgumentException("no judgements for split '" + split + "': " + qrelsFile
                    + " is missing (splits here: " + availableSplits(directory) + ")");
        }
        Map<String, Document> corpus = readCorpus(corpusFile);
        Map<String, Query> queries = readQueries(queriesFile);
        Map<String, Map<String, Integer>> qrels = readQrels(qrelsFile, queries);
        Path answersFile = directory.resolve("answers.jsonl");
        Map<String, AnswerKey> answers = Files.isRegularFile(answersFile) ? readAnswers(answersFile) : null;
        return new BeirDataset(directory, split, corpus, queries, qrels, answers);
    }

    private static Path require(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("BEIR file " + file + " is missing");
        }
        return file;
    }

    private static List<String> availableSplits(Path directory) {
        List<String> splits = new ArrayList<>();
        try (var files = Files.list(directory.resolve("qrels"))) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tsv"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().forEach(splits::add);
        } catch (IOException e) {
            // no qrels folder: the empty list says so
        }
        return splits;
    }

    private interface LineHandler {
        void accept(String line, int number);
    }

    private static void forEachLine(Path file, LineHandler handler) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (!line.isBlank()) {
                    handler.accept(line, number);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static JsonNode parseJson(Path file, int number, String line) {
        try {
            JsonNode node = MAPPER.readTree(line);
            if (node == null || !node.isObject()) {
                throw new BeirFormatException(file, number, "expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new BeirFormatException(file, number, "invalid JSON: " + e.getOriginalMessage());
        }
    }

    private static String requiredString(Path file, int number, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new BeirFormatException(file, number, "missing field \"" + field + "\"");
        }
        if (!value.isTextual() && !value.isNumber()) {
            throw new BeirFormatException(file, number, "field \"" + field + "\" must be a string");
        }
        return value.asText();
    }

    private static String optionalString(Path file, int number, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw new BeirFormatException(file, number, "field \"" + field + "\" must be a string");
        }
        return value.asText();
    }

    static Map<String, Document> readCorpus(Path file) {
        Map<String, Document> corpus = new LinkedHashMap<>();
        forEachLine(file, (line, number) -> {
            JsonNode node = parseJson(file, number, line);
            String id = requiredString(file, number, node, "_id");
            Document doc = new Document(id, optionalString(file, number, node, "title"),
                    requiredString(file, number, node, "text"));
            if (corpus.putIfAbsent(id, doc) != null) {
                throw new BeirFormatException(file, number, "duplicate document id \"" + id + "\"");
            }
        });
        return corpus;
    }

    static Map<String, Query> readQueries(Path file) {
        Map<String, Query> queries = new LinkedHashMap<>();
        forEachLine(file, (line, number) -> {
            JsonNode node = parseJson(file, number, line);
            String id = requiredString(file, number, node, "_id");
            if (queries.putIfAbsent(id, new Query(id, requiredString(file, number, node, "text"))) != null) {
                throw new BeirFormatException(file, number, "duplicate query id \"" + id + "\"");
            }
        });
        return queries;
    }

    static Map<String, Map<String, Integer>> readQrels(Path file, Map<String, Query> queries) {
        Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
        forEachLine(file, (line, number) -> {
            String[] fields = line.split("\t", -1);
            if (number == 1 && fields.length >= 1 && fields[0].trim().equalsIgnoreCase("query-id")) {
                return; // header
            }
            if (fields.length != 3) {
                throw new BeirFormatException(file, number, "expected 3 tab-separated fields "
                        + "(query-id, corpus-id, score), found " + fields.length);
            }
            String queryId = fields[0].trim();
            String docId = fields[1].trim();
            int score;
            try {
                score = Integer.parseInt(fields[2].trim());
            } catch (NumberFormatException e) {
                throw new BeirFormatException(file, number, "score \"" + fields[2] + "\" is not an integer");
            }
            if (!queries.containsKey(queryId)) {
                throw new BeirFormatException(file, number, "query id \"" + queryId + "\" is not in queries.jsonl");
            }
            qrels.computeIfAbsent(queryId, k -> new LinkedHashMap<>()).put(docId, score);
        });
        if (qrels.isEmpty()) {
            throw new BeirFormatException(file, 0, "no judgements");
        }
        return qrels;
    }

    static Map<String, AnswerKey> readAnswers(Path file) {
        Map<String, AnswerKey> answers = new LinkedHashMap<>();
        forEachLine(file, (line, number) -> {
            JsonNode node = parseJson(file, number, line);
            String id = requiredString(file, number, node, "query_id");
            JsonNode list = node.get("answers");
            if (list == null || !list.isArray()) {
                throw new BeirFormatException(file, number, "field \"answers\" must be an array of strings");
            }
            List<String> texts = new ArrayList<>();
            for (JsonNode answer : list) {
                if (!answer.isTextual()) {
                    throw new BeirFormatException(file, number, "field \"answers\" must be an array of strings");
                }
                texts.add(answer.asText());
            }
            JsonNode answerable = node.get("answerable");
            if (answerable != null && !answerable.isBoolean()) {
                throw new BeirFormatException(file, number, "field \"answerable\" must be true or false");
            }
            boolean isAnswerable = answerable == null ? !texts.isEmpty() : answerable.asBoolean();
            if (isAnswerable && texts.isEmpty()) {
                throw new BeirFormatException(file, number, "answerable question without answers");
            }
            answers.put(id, new AnswerKey(id, texts, isAnswerable));
        });
        return answers;
    }

    /** The folder name, e.g. {@code scifact}. */
    public String name() {
        return name;
    }

    public String split() {
        return split;
    }

    public Path directory() {
        return directory;
    }

    public Path corpusFile() {
        return directory.resolve("corpus.jsonl");
    }

    /** Documents in file order. */
    public Map<String, Document> corpus() {
        return corpus;
    }

    public Map<String, Query> queries() {
        return queries;
    }

    /** Judgements of the split: query id → (document id → grade), queries in qrels order. */
    public Map<String, Map<String, Integer>> qrels() {
        return qrels;
    }

    /** The judged queries of the split, in qrels order. */
    public List<Query> judgedQueries() {
        List<Query> judged = new ArrayList<>(qrels.size());
        for (String id : qrels.keySet()) {
            judged.add(queries.get(id));
        }
        return judged;
    }

    /** Gold answers, when the set has {@code answers.jsonl}. */
    public Optional<Map<String, AnswerKey>> answers() {
        return Optional.ofNullable(answers);
    }
}
