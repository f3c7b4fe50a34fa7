package dev.rerank4j.colbert;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.rerank4j.colbert.index.ColbertIndex;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ColbertScoringModelTest {

    private static ColbertEncoder encoder;

    @BeforeAll
    static void open() {
        encoder = ColbertEncoder.builder().modelDirectory(TestModels.resourceModel("tiny-colbert")).build();
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void scores_indexed_segments_from_the_index_and_encodes_the_others(@TempDir Path dir) {
        String query = "does smoking cause lung cancer";
        try (ColbertIndex index = ColbertIndex.build(encoder, Map.of("s1", "Smoking causes lung cancer."), dir.resolve("i"));
             ColbertScoringModel model = ColbertScoringModel.builder().encoder(encoder).index(index).build()) {
            TextSegment indexed = TextSegment.from("text ignored: vectors come from the index", Metadata.from("id", "s1"));
            TextSegment unknownId = TextSegment.from("Exercise improves fitness.", Metadata.from("id", "nope"));
            TextSegment noId = TextSegment.from("Smoking causes lung cancer.");
            Response<List<Double>> response = model.scoreAll(List.of(indexed, unknownId, noId), query);

            MaxSim.Prepared q = MaxSim.prepare(encoder.encodeQuery(query));
            List<Double> scores = response.content();
            assertThat(scores.get(0)).isCloseTo(index.score(q, "s1"), within(1e-9));
            assertThat(scores.get(1)).isCloseTo(q.score(encoder.encodeDocument("Exercise improves fitness.")), within(1e-4));
            assertThat(scores.get(2)).isCloseTo(q.score(encoder.encodeDocument("Smoking causes lung cancer.")), within(1e-4));
            // same text, float16 index vs freshly encoded float32
            assertThat(scores.get(0)).isCloseTo(scores.get(2), within(0.02));
            assertThat(response.metadata()).containsEntry(ColbertScoringModel.META_FROM_INDEX, 1)
                    .containsEntry(ColbertScoringModel.META_ENCODED, 2);
        }
    }

    @Test
    void custom_id_metadata_key_is_used(@TempDir Path dir) {
        try (ColbertIndex index = ColbertIndex.build(encoder, Map.of("42", "calcium"), dir.resolve("i"));
             ColbertScoringModel model = ColbertScoringModel.builder().encoder(encoder).index(index)
                     .idMetadataKey("doc_id").build()) {
            TextSegment segment = TextSegment.from("different text", new Metadata().put("doc_id", 42));
            Response<List<Double>> response = model.scoreAll(List.of(segment), "calcium");
            assertThat(response.metadata()).containsEntry(ColbertScoringModel.META_FROM_INDEX, 1);
        }
    }

    @Test
    void works_without_an_index_and_owns_an_encoder_it_builds() {
        try (ColbertScoringModel model = ColbertScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-colbert")).build()) {
            double score = model.score("Vitamin D helps bones.", "vitamin d").content();
            assertThat(score).isCloseTo(MaxSim.score(encoder.encodeQuery("vitamin d"),
                    encoder.encodeDocument("Vitamin D helps bones.")), within(1e-4));
            assertThat(model.scoreAll(List.of(), "q").content()).isEmpty();
        }
    }

    @Test
    void bad_arguments_are_rejected() {
        try (ColbertScoringModel model = ColbertScoringModel.builder().encoder(encoder).build()) {
            assertThatThrownBy(() -> model.scoreAll(null, "q")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> model.scoreAll(List.of(TextSegment.from("x")), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query");
            assertThatThrownBy(() -> model.scoreAll(List.of(TextSegment.from("x")), " "))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query");
        }
        assertThatThrownBy(() -> ColbertScoringModel.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("modelDirectory");
        assertThatThrownBy(() -> ColbertScoringModel.builder().encoder(encoder).batchSize(4).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encoder");
        assertThatThrownBy(() -> ColbertScoringModel.builder().encoder(encoder).idMetadataKey("").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idMetadataKey");
    }
}
