package dev.rerank4j.colbert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Every ColBERT fixture, on every engine it ships, reproduces its golden.json (PyTorch fp32 reference). */
class ColbertGoldenTest {

    static Stream<Arguments> modelsAndEngines() {
        return Stream.of(
                Arguments.of("tiny-colbert", EngineKind.ONNX),
                Arguments.of("tiny-colbert", EngineKind.PYTORCH),
                Arguments.of("minilm-l6-colbert", EngineKind.ONNX));
    }

    private static Path locate(String model) {
        return model.startsWith("tiny-") ? TestModels.resourceModel(model) : TestModels.requireShared("models/" + model);
    }

    private static ColbertEncoder encoder(String model, EngineKind engine) {
        Path dir = locate(model);
        ModelDirectory directory = ModelDirectory.of(dir);
        boolean ships = engine == EngineKind.ONNX ? directory.onnxModel().isPresent() : directory.torchScriptModel().isPresent();
        Assumptions.assumeTrue(ships, model + " ships no " + engine + " file");
        return ColbertEncoder.builder().modelDirectory(dir).engine(engine).build();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("modelsAndEngines")
    void token_ids_and_maxsim_scores_match_golden(String model, EngineKind engine) {
        JsonNode golden = TestModels.readJson(locate(model).resolve("golden.json"));
        double tolerance = golden.get("tolerance").asDouble();
        try (ColbertEncoder encoder = encoder(model, engine)) {
            List<String> passages = new ArrayList<>();
            golden.get("pairs").forEach(p -> passages.add(p.get("passage").asText()));
            // all documents in one call: batching and padding must not change any document's vectors
            List<TokenVectors> docs = encoder.encodeDocuments(passages);
            int i = 0;
            for (JsonNode pair : golden.get("pairs")) {
                String query = pair.get("query").asText();
                String passage = pair.get("passage").asText();
                EncodedInput queryInput = encoder.queryInput(query);
                EncodedInput docInput = encoder.documentInput(passage);
                assertThat(queryInput.inputIds()).as("query ids of %s", query).containsExactly(longs(pair.get("query_input_ids")));
                assertThat(docInput.inputIds()).as("doc ids of %s", passage).containsExactly(longs(pair.get("doc_input_ids")));
                assertThat(docInput.length()).isEqualTo(pair.get("doc_num_tokens").asInt());

                double score = MaxSim.score(encoder.encodeQuery(query), docs.get(i++));
                assertThat(score).as("MaxSim of %s / %s", query, passage)
                        .isCloseTo(pair.get("maxsim_score").asDouble(), within(tolerance));
            }
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("modelsAndEngines")
    void first_normalized_vectors_match_golden(String model, EngineKind engine) {
        JsonNode golden = TestModels.readJson(locate(model).resolve("golden.json"));
        double tolerance = golden.get("tolerance").asDouble();
        try (ColbertEncoder encoder = encoder(model, engine)) {
            for (JsonNode entry : golden.get("token_embeddings")) {
                String text = entry.get("text").asText();
                JsonNode asQuery = entry.get("as_query");
                JsonNode asDoc = entry.get("as_doc");
                assertThat(encoder.queryInput(text).inputIds()).containsExactly(longs(asQuery.get("input_ids")));
                assertThat(encoder.documentInput(text).inputIds()).containsExactly(longs(asDoc.get("input_ids")));
                assertVectors(encoder.encodeQuery(text), asQuery.get("first3_normalized"), tolerance, "query " + text);
                assertVectors(encoder.encodeDocument(text), asDoc.get("first3_normalized"), tolerance, "doc " + text);
            }
        }
    }

    private static void assertVectors(TokenVectors actual, JsonNode expected, double tolerance, String what) {
        assertThat(actual.count()).isGreaterThanOrEqualTo(expected.size());
        for (int v = 0; v < expected.size(); v++) {
            JsonNode row = expected.get(v);
            assertThat(row.size()).isEqualTo(actual.dim());
            for (int k = 0; k < row.size(); k++) {
                assertThat((double) actual.get(v, k)).as("%s vector %d component %d", what, v, k)
                        .isCloseTo(row.get(k).asDouble(), within(tolerance));
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
