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

/** Every cross-encoder fixture, on every engine it ships, reproduces its golden.json (PyTorch fp32 reference). */
class CrossEncoderGoldenTest {

    static Stream<Arguments> modelsAndEngines() {
        return Stream.of(
                Arguments.of("tiny-ce", EngineKind.ONNX),
                Arguments.of("tiny-ce", EngineKind.PYTORCH),
                Arguments.of("minilm-l6-ce", EngineKind.ONNX),
                Arguments.of("minilm-l6-ce", EngineKind.PYTORCH));
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
                .modelDirectory(dir).engine(engine).maxLength(golden.get("max_length").asInt()).build()) {
            // one call per query, so batching, padding and deduplication are exercised as in real use
            Map<String, List<JsonNode>> byQuery = new LinkedHashMap<>();
            golden.get("cases").forEach(c -> byQuery.computeIfAbsent(c.get("query").asText(), q -> new ArrayList<>()).add(c));
            for (Map.Entry<String, List<JsonNode>> entry : byQuery.entrySet()) {
                // plain strings: golden cases include an empty passage, which a TextSegment cannot hold
                List<String> passages = entry.getValue().stream().map(c -> c.get("passage").asText()).toList();
                double[] scores = scorer.scorePassages(entry.getKey(), passages).scores();
                for (int i = 0; i < scores.length; i++) {
                    double expected = entry.getValue().get(i).get("logit").asDouble();
                    assertThat(scores[i]).as("%s / %s", entry.getKey(), passages.get(i))
                            .isCloseTo(expected, within(tolerance));
                }
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
