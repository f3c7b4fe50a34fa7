package dev.rerank4j.colbert;

import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ColbertEncoderTest {

    private static ColbertEncoder encoder;
    private static ColbertConfig config;

    @BeforeAll
    static void open() {
        encoder = ColbertEncoder.builder().modelDirectory(TestModels.resourceModel("tiny-colbert")).build();
        config = encoder.config();
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void reads_the_colbert_section_of_config_json() {
        assertThat(config.dim()).isEqualTo(128);
        assertThat(config.queryMaxLen()).isEqualTo(32);
        assertThat(config.docMaxLen()).isEqualTo(180);
        assertThat(config.skips(1012)).as("'.' is on the skiplist").isTrue();
        assertThat(config.skips(2054)).isFalse();
    }

    @Test
    void query_is_marked_and_padded_with_attended_mask_tokens() {
        EncodedInput input = encoder.queryInput("bone health");
        assertThat(input.length()).isEqualTo(config.queryMaxLen());
        assertThat(input.inputIds()[1]).isEqualTo(config.queryMarkerTokenId());
        assertThat(input.inputIds()[input.length() - 1]).isEqualTo(config.maskTokenId());
        assertThat(input.attentionMask()).containsOnly(1L);
        assertThat(encoder.encodeQuery("bone health").count()).isEqualTo(config.queryMaxLen());
    }

    @Test
    void every_vector_is_unit_length() {
        for (TokenVectors v : List.of(encoder.encodeQuery("vitamin d"), encoder.encodeDocument("Vitamin D and bone."))) {
            for (int i = 0; i < v.count(); i++) {
                double norm = 0;
                for (float x : v.vector(i)) {
                    norm += x * x;
                }
                assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
            }
        }
    }

    @Test
    void empty_document_keeps_cls_marker_and_sep() {
        assertThat(encoder.documentInput("").inputIds()).hasSize(3);
        assertThat(encoder.encodeDocument("").count()).isEqualTo(3);
    }

    @Test
    void punctuation_only_document_drops_every_punctuation_vector() {
        EncodedInput input = encoder.documentInput("?!.,;:()");
        assertThat(input.length()).isEqualTo(3 + 8);
        assertThat(encoder.encodeDocument("?!.,;:()").count()).as("only [CLS], [D], [SEP] remain").isEqualTo(3);
    }

    @Test
    void over_long_document_is_cut_to_doc_maxlen_ending_with_sep() {
        String longText = String.join(" ", java.util.Collections.nCopies(1000, "calcium"));
        EncodedInput input = encoder.documentInput(longText);
        assertThat(input.length()).isEqualTo(config.docMaxLen());
        assertThat(input.inputIds()[input.length() - 1]).isEqualTo(encoder.documentInput("").inputIds()[2]);
        assertThat(encoder.encodeDocument(longText).count()).isEqualTo(config.docMaxLen());
    }

    @Test
    void over_long_query_is_cut_to_query_maxlen() {
        String longQuery = String.join(" ", java.util.Collections.nCopies(100, "calcium"));
        assertThat(encoder.queryInput(longQuery).length()).isEqualTo(config.queryMaxLen());
        assertThat(encoder.queryInput(longQuery).inputIds()).doesNotContain(config.maskTokenId());
    }

    @Test
    void empty_or_null_query_and_null_documents_are_rejected() {
        assertThatThrownBy(() -> encoder.encodeQuery("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query");
        assertThatThrownBy(() -> encoder.encodeQuery("   ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encoder.encodeQuery(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encoder.encodeDocuments(Arrays.asList("a", null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("documents[1]");
        assertThat(encoder.encodeDocuments(List.of())).isEmpty();
    }

    @Test
    void batched_documents_equal_one_by_one_encoding() {
        List<String> docs = List.of("short", "a somewhat longer document about calcium and bones", "",
                "Berlin has 3,520,031 inhabitants.");
        List<TokenVectors> batched = encoder.encodeDocuments(docs);
        for (int i = 0; i < docs.size(); i++) {
            TokenVectors single = encoder.encodeDocument(docs.get(i));
            assertThat(batched.get(i).count()).isEqualTo(single.count());
            float[] a = batched.get(i).toFlatArray();
            float[] b = single.toFlatArray();
            for (int k = 0; k < a.length; k++) {
                assertThat(a[k]).isCloseTo(b[k], within(1e-4f));
            }
        }
    }

    @Test
    void model_without_colbert_section_fails_naming_the_config(@TempDir Path dir) throws Exception {
        TestModels.copyTree(TestModels.resourceModel("tiny-colbert"), dir.resolve("m"));
        Path configFile = dir.resolve("m/config.json");
        String json = Files.readString(configFile).replace("\"colbert\"", "\"not_colbert\"");
        Files.writeString(configFile, json);
        assertThatThrownBy(() -> ColbertEncoder.builder().modelDirectory(dir.resolve("m")).build())
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("config.json").hasMessageContaining("colbert");
    }

    @Test
    void builder_validates_arguments_in_build() {
        assertThatThrownBy(() -> ColbertEncoder.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("modelDirectory").hasMessageContaining("modelId");
        assertThatThrownBy(() -> ColbertEncoder.builder().modelDirectory(Path.of("x")).batchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> ColbertEncoder.builder().modelDirectory(Path.of("x")).intraOpThreads(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intraOpThreads");
        assertThatThrownBy(() -> ColbertEncoder.builder().modelDirectory(Path.of("x")).maxConcurrentRuns(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrentRuns");
    }

    @Test
    void closed_encoder_refuses_work() {
        ColbertEncoder other = ColbertEncoder.builder().modelDirectory(TestModels.resourceModel("tiny-colbert")).build();
        other.close();
        assertThatThrownBy(() -> other.encodeQuery("q")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void attention_fusion_is_off_by_default_and_when_asked_gives_the_same_vectors() {
        assertThat(encoder.engineDescription()).doesNotContain("attention fused");
        try (ColbertEncoder fused = ColbertEncoder.builder().modelDirectory(TestModels.resourceModel("tiny-colbert"))
                .attentionFusion(true).build()) {
            assertThat(fused.engineDescription()).contains("attention fused")
                    .contains("padded batches take the exported operators");
            List<String> documents = List.of("Vitamin D and bone.", "Calcium is absorbed in the small intestine.");
            List<TokenVectors> expected = new java.util.ArrayList<>(encoder.encodeDocuments(documents));
            expected.add(encoder.encodeQuery("vitamin d"));
            List<TokenVectors> actual = new java.util.ArrayList<>(fused.encodeDocuments(documents));
            actual.add(fused.encodeQuery("vitamin d"));
            for (int i = 0; i < expected.size(); i++) {
                float[] e = expected.get(i).toFlatArray();
                float[] a = actual.get(i).toFlatArray();
                assertThat(a).hasSameSizeAs(e);
                for (int j = 0; j < e.length; j++) {
                    assertThat(a[j]).isCloseTo(e[j], within(1e-4f));
                }
            }
        }
    }
}
