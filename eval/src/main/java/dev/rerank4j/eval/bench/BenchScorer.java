package dev.rerank4j.eval.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.scoring.onnx.OnnxScoringModel;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.scoring.ScoringStats;

import java.nio.file.Path;
import java.util.List;

/** One scorer under benchmark: scores a request and says how many tokens it fed, padding included. */
public interface BenchScorer extends AutoCloseable {

    /** Scores the passages and returns the scores in input order. */
    double[] score(String query, List<String> passages);

    /** Tokens the last call on this thread fed to the model, padding included (-1 if the scorer cannot say). */
    long lastPaddedTokens();

    /** What runs the model: runtime and version, graph file and its rewrites, as the scorer describes itself. */
    String engine();

    /** Time the last call on this thread spent tokenising (-1 if the scorer cannot say). */
    default long lastTokenizeNanos() {
        return -1;
    }

    @Override
    void close();

    /** This project's scorer, built from the benchmark's settings. */
    static BenchScorer rerank4j(CrossEncoderScoringModel.Builder builder) {
        CrossEncoderScoringModel model = builder.build();
        ThreadLocal<ScoringStats> last = new ThreadLocal<>();
        return new BenchScorer() {
            @Override
            public double[] score(String query, List<String> passages) {
                CrossEncoderScoringModel.ScoredBatch result = model.scorePassages(query, passages);
                last.set(result.stats());
                return result.scores();
            }

            @Override
            public long lastPaddedTokens() {
                return last.get() == null ? -1 : last.get().paddedTokens();
            }

            @Override
            public long lastTokenizeNanos() {
                return last.get() == null ? -1 : last.get().tokenizeNanos();
            }

            @Override
            public String engine() {
                return model.engineDescription();
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }

    /**
     * LangChain4j's OnnxScoringModel with the same session options: one batch per request, padded to its longest pair.
     * It passes only {@code modelMaxLength} to DJL, so the truncation embedded in tokenizer.json (128 for the
     * all-MiniLM family) silently wins over its maxLength argument; it gets a copy of tokenizer.json whose embedded
     * truncation is {@code maxLength}, so that both scorers see the same tokens.
     */
    static BenchScorer langchain4jOnnx(Path modelDir, int maxLength, int threads) {
        OnnxScoringModel model;
        try {
            Path tokenizer = tokenizerTruncatedAt(modelDir.resolve("tokenizer.json"), maxLength);
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            model = new OnnxScoringModel(modelDir.resolve("onnx/model.onnx").toString(), options,
                    tokenizer.toString(), maxLength, false);
        } catch (OrtException | java.io.IOException e) {
            throw new IllegalStateException("cannot configure OnnxScoringModel: " + e.getMessage(), e);
        }
        return new BenchScorer() {
            @Override
            public double[] score(String query, List<String> passages) {
                List<Double> scores = model.scoreAll(passages.stream().map(TextSegment::from).toList(), query).content();
                return scores.stream().mapToDouble(Double::doubleValue).toArray();
            }

            @Override
            public long lastPaddedTokens() {
                return -1;
            }

            @Override
            public String engine() {
                return "LangChain4j OnnxScoringModel on onnxruntime " + ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion();
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }

    /** A temporary copy of tokenizer.json with its embedded truncation set to maxLength and its fixed padding removed. */
    static Path tokenizerTruncatedAt(Path tokenizerJson, int maxLength) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root =
                (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(tokenizerJson.toFile());
        if (root.get("truncation") instanceof com.fasterxml.jackson.databind.node.ObjectNode truncation) {
            truncation.put("max_length", maxLength);
        }
        root.putNull("padding");
        Path copy = java.nio.file.Files.createTempDirectory("lc4j-tokenizer").resolve("tokenizer.json");
        mapper.writeValue(copy.toFile(), root);
        copy.toFile().deleteOnExit();
        copy.getParent().toFile().deleteOnExit();
        return copy;
    }
}
