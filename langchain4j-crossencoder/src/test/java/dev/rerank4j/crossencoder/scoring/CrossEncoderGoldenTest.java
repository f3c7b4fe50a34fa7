package dev.rerank4j.crossencoder.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Every cross-encoder fixture, on every engine it ships, reproduces its golden.json (PyTorch fp32 reference): one
 * per family and export shape (BERT, XLM-RoBERTa, the Optimum [batch,1,1] export, DeBERTa-v3, ModernBERT, a
 * 2-label BERT), loaded with the default max length, which must be the one golden.json was made with.
 */
class CrossEncoderGoldenTest {

    static final List<String> MODELS = List.of("tiny-ce", "minilm-l6-ce", "tiny-xlmr-ce", "tiny-xlmr-optimum-ce",
            "tiny-deberta-v3-ce", "tiny-modernbert-ce", "tiny-bert-2label-ce");

    static Stream<Arguments> modelsAndEngines() {
        return MODELS.stream().flatMap(model -> Stream.of(
                Arguments.of(model, EngineKind.ONNX), Arguments.of(model, EngineKind.PYTORCH)));
    }

    private static Path locate(String model) {
        return model.startsWith("tiny-") ? TestModels.resourceModel(model) : TestModels.requireShared("models/" + model);
    }

    private static boolean ships(Path dir, EngineKind engine) {
        ModelDirectory directory = ModelDirectory.of(dir);
        return engine == EngineKind.ONNX ? directory.onnxModel().isPresent() : directory.torchScriptModel().isPresent();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("modelsAndEngines")
    void scores_match_golden_within_its_tolerance(String model, EngineKind engine) {
        Path dir = locate(model);
        org.junit.jupiter.api.Assumptions.assumeTrue(ships(dir, engine), model + " ships no " + engine + " file");
        JsonNode golden = TestModels.readJson(dir.resolve("golden.json"));
        double tolerance = golden.get("tolerance").asDouble();

        try (CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder()
                .modelDirectory(dir).engine(engine).build()) {
            assertThat(scorer.maxLength()).as("default max length").isEqualTo(golden.get("max_length").asInt());
            // one call per query, so batching, padding and deduplication are exercised as in real use
            Map<String, List<JsonNode>> byQuery = new LinkedHashMap<>();
            golden.get("cases").forEach(c -> byQuery.computeIfAbsent(c.get("query").asText(), q -> new ArrayList<>()).add(c));
            int truncated = 0;
            for (Map.Entry<String, List<JsonNode>> entry : byQuery.entrySet()) {
                // plain strings: golden cases include an empty passage, which a TextSegment cannot hold
                List<String> passages = entry.getValue().stream().map(c -> c.get("passage").asText()).toList();
                CrossEncoderScoringModel.ScoredBatch result = scorer.scorePassages(entry.getKey(), passages);
                double[] scores = result.scores();
                for (int i = 0; i < scores.length; i++) {
                    double expected = entry.getValue().get(i).get("logit").asDouble();
                    assertThat(scores[i]).as("%s / %s", entry.getKey(), passages.get(i))
                            .isCloseTo(expected, within(tolerance));
                }
                truncated += result.stats().truncatedPairs();
            }
            if (golden.get("cases").get(0).has("truncated")) {
                long expected = java.util.stream.StreamSupport.stream(golden.get("cases").spliterator(), false)
                        .filter(c -> c.get("truncated").asBoolean()).count();
                assertThat(truncated).as("truncated pairs counted").isEqualTo(expected).isPositive();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelsAndEngines")
    void token_ids_match_golden(String model, EngineKind engine) {
        org.junit.jupiter.api.Assumptions.assumeTrue(engine == EngineKind.ONNX, "tokenisation is engine-independent");
        Path dir = locate(model);
        JsonNode golden = TestModels.readJson(dir.resolve("golden.json"));
        try (var tokenizer = dev.rerank4j.crossencoder.runtime.internal.TextTokenizer.open(
                dir.resolve("tokenizer.json"), golden.get("max_length").asInt())) {
            for (JsonNode c : golden.get("cases")) {
                EncodedInput encoded = tokenizer.encodePair(c.get("query").asText(), c.get("passage").asText());
                assertThat(encoded.inputIds()).as(c.get("query").asText()).containsExactly(longs(c.get("input_ids")));
                assertThat(encoded.tokenTypeIds()).as(c.get("query").asText()).containsExactly(longs(c.get("token_type_ids")));
                assertThat(encoded.length()).isEqualTo(c.get("num_tokens").asInt());
            }
        }
    }

    static long[] longs(JsonNode array) {
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asLong();
        }
        return values;
    }

}
