package dev.rerank4j.colbert.index;

import dev.rerank4j.colbert.ColbertEncoder;
import dev.rerank4j.colbert.ColbertScoringModel;
import dev.rerank4j.colbert.MaxSim;
import dev.rerank4j.colbert.TokenVectors;
import dev.rerank4j.crossencoder.testing.OnnxWeights;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ColbertIndexTest {

    private static ColbertEncoder encoder;
    private static final Map<String, String> CORPUS = new LinkedHashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        encoder = ColbertEncoder.builder().modelDirectory(TestModels.resourceModel("tiny-colbert")).build();
        CORPUS.put("d1", "Vitamin D promotes calcium absorption in the gut.");
        CORPUS.put("d2", "The stock market closed higher on Friday.");
        CORPUS.put("d3", "");
        CORPUS.put("d4", "?!.,;:()");
        CORPUS.put("d5", String.join(" ", java.util.Collections.nCopies(400, "osteoporosis")));
        CORPUS.put("dé-ü 😀", "Le café au lait est une boisson.");
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void float16_round_trip_keeps_vectors_and_scores() throws Exception {
        Path file = dir.resolve("idx.colbert");
        ColbertIndex.build(encoder, CORPUS, file).close();
        try (ColbertIndex index = ColbertIndex.open(file)) {
            assertThat(index.size()).isEqualTo(CORPUS.size());
            assertThat(index.encoding()).isEqualTo(VectorEncoding.FLOAT16);
            assertThat(index.dim()).isEqualTo(encoder.dim());
            assertThat(index.ids()).containsExactlyInAnyOrderElementsOf(CORPUS.keySet());
            MaxSim.Prepared query = MaxSim.prepare(encoder.encodeQuery("calcium and bone"));
            List<TokenVectors> expected = encoder.encodeDocuments(List.copyOf(CORPUS.values()));
            int i = 0;
            for (String id : CORPUS.keySet()) {
                TokenVectors stored = index.vectors(id);
                TokenVectors fresh = expected.get(i++);
                assertThat(stored.count()).isEqualTo(fresh.count());
                float[] a = stored.toFlatArray();
                float[] b = fresh.toFlatArray();
                for (int k = 0; k < a.length; k++) {
                    // half precision keeps 11 significant bits; components are at most 1 in magnitude
                    assertThat(a[k]).isCloseTo(b[k], within(1e-3f));
                }
                assertThat(index.score(query, id)).isCloseTo(query.score(fresh), within(0.01));
                assertThat(index.score(query, id)).isCloseTo(query.score(stored), within(1e-9));
            }
            assertThat(index.vectors("d3").count()).isEqualTo(3);
            assertThat(index.vectors("d4").count()).isEqualTo(3);
            assertThat(index.vectors("d5").count()).isEqualTo(encoder.config().docMaxLen());
            long expectedBytes = ColbertIndex.HEADER_BYTES;
            for (String id : CORPUS.keySet()) {
                expectedBytes += 8 + id.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                        + 2L * encoder.dim() * index.vectors(id).count();
            }
            assertThat(Files.size(file)).isEqualTo(expectedBytes);
            assertThat(index.bytesPerDocument()).isCloseTo((double) expectedBytes / CORPUS.size(), within(1e-9));
        }
    }

    @Test
    void int8_index_is_smaller_with_a_small_measured_score_loss() {
        Path f16 = dir.resolve("f16.colbert");
        Path i8 = dir.resolve("i8.colbert");
        try (ColbertIndex half = ColbertIndex.build(encoder, CORPUS, f16, VectorEncoding.FLOAT16);
             ColbertIndex quant = ColbertIndex.build(encoder, CORPUS, i8, VectorEncoding.INT8)) {
            assertThat(quant.bytes()).isLessThan(half.bytes() * 6 / 10);
            MaxSim.Prepared query = MaxSim.prepare(encoder.encodeQuery("vitamin d calcium"));
            int dim = encoder.dim();
            // per component int8 errs by at most scale/2 <= 1/254, so one dot product by at most sqrt(dim)/254
            double int8Bound = query.queryCount() * Math.sqrt(dim) / 254;
            double halfBound = query.queryCount() * Math.sqrt(dim) * 0x1p-11;
            for (String id : CORPUS.keySet()) {
                double exact = query.score(encoder.encodeDocument(CORPUS.get(id)));
                assertThat(quant.score(query, id)).as(id).isCloseTo(exact, within(int8Bound));
                assertThat(half.score(query, id)).as(id).isCloseTo(exact, within(halfBound));
            }
        }
    }

    @Test
    void documents_can_be_added_later_and_existing_ids_are_skipped() {
        Path file = dir.resolve("grow.colbert");
        Map<String, String> first = new LinkedHashMap<>();
        first.put("a", "calcium");
        first.put("b", "bones");
        ColbertIndex.build(encoder, first, file).close();
        try (ColbertIndex index = ColbertIndex.open(file)) {
            Map<String, String> more = new LinkedHashMap<>();
            more.put("b", "ignored: already indexed");
            more.put("c", "vitamin d");
            assertThat(index.add(encoder, more)).isEqualTo(1);
            assertThat(index.size()).isEqualTo(3);
            assertThat(index.contains("c")).isTrue();
        }
        try (ColbertIndex reopened = ColbertIndex.open(file)) {
            assertThat(reopened.ids()).containsExactlyInAnyOrder("a", "b", "c");
            float[] stored = reopened.vectors("b").toFlatArray();
            float[] fresh = encoder.encodeDocument("bones").toFlatArray();
            assertThat(stored).hasSameSizeAs(fresh);
            assertThat(stored[0]).isCloseTo(fresh[0], within(1e-3f));
            assertThatThrownBy(() -> reopened.addAll(Map.of("a", encoder.encodeDocument("x"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"a\"");
        }
    }

    @Test
    void build_or_update_encodes_only_missing_documents() {
        Path file = dir.resolve("sync.colbert");
        try (ColbertIndex first = ColbertIndex.buildOrUpdate(encoder, Map.of("a", "calcium"), file,
                VectorEncoding.FLOAT16, false)) {
            assertThat(first.size()).isEqualTo(1);
        }
        long before = ColbertIndex.open(file).bytes();
        try (ColbertIndex second = ColbertIndex.buildOrUpdate(encoder, Map.of("a", "calcium", "b", "bones"), file,
                VectorEncoding.FLOAT16, false)) {
            assertThat(second.ids()).containsExactlyInAnyOrder("a", "b");
            assertThat(second.bytes()).isGreaterThan(before);
        }
        assertThatThrownBy(() -> ColbertIndex.buildOrUpdate(encoder, Map.of("a", "calcium"), file,
                VectorEncoding.INT8, false)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FLOAT16");
    }

    @Test
    void missing_id_and_bad_arguments_are_clear_errors() {
        Path file = dir.resolve("small.colbert");
        try (ColbertIndex index = ColbertIndex.build(encoder, Map.of("a", "calcium"), file)) {
            assertThat(index.contains("zzz")).isFalse();
            assertThat(index.contains(null)).isFalse();
            assertThatThrownBy(() -> index.vectors("zzz")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("zzz").hasMessageContaining(file.getFileName().toString());
        }
        assertThatThrownBy(() -> ColbertIndex.build(encoder, null, file)).isInstanceOf(IllegalArgumentException.class);
        Map<String, String> nullText = new java.util.HashMap<>();
        nullText.put("x", null);
        assertThatThrownBy(() -> ColbertIndex.build(encoder, nullText, file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"x\"");
        assertThatThrownBy(() -> ColbertIndex.open(dir.resolve("absent.colbert")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absent.colbert");
    }

    @Test
    void truncated_file_is_reported_with_its_name() throws Exception {
        Path file = dir.resolve("cut.colbert");
        ColbertIndex.build(encoder, CORPUS, file).close();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 100);
        }
        assertThatThrownBy(() -> ColbertIndex.open(file)).isInstanceOf(CorruptIndexException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("truncated");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(20);
        }
        assertThatThrownBy(() -> ColbertIndex.open(file)).isInstanceOf(CorruptIndexException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void foreign_or_damaged_files_are_rejected() throws Exception {
        Path foreign = dir.resolve("foreign.bin");
        Files.write(foreign, new byte[200]);
        assertThatThrownBy(() -> ColbertIndex.open(foreign)).isInstanceOf(CorruptIndexException.class)
                .hasMessageContaining("foreign.bin").hasMessageContaining("magic");

        Path file = dir.resolve("damaged.colbert");
        ColbertIndex.build(encoder, CORPUS, file).close();
        byte[] bytes = Files.readAllBytes(file);
        bytes[24] ^= 1; // document count in the header
        Files.write(file, bytes);
        assertThatThrownBy(() -> ColbertIndex.open(file)).isInstanceOf(CorruptIndexException.class)
                .hasMessageContaining("checksum");

        bytes[24] ^= 1;
        bytes[ColbertIndex.HEADER_BYTES] = (byte) 0xff; // first record's id length becomes huge
        Files.write(file, bytes);
        assertThatThrownBy(() -> ColbertIndex.open(file)).isInstanceOf(CorruptIndexException.class)
                .hasMessageContaining("record");
    }

    @Test
    void bytes_after_the_committed_end_are_ignored() throws Exception {
        Path file = dir.resolve("tail.colbert");
        ColbertIndex.build(encoder, Map.of("a", "calcium"), file).close();
        long size = Files.size(file);
        // as if an append was interrupted before it rewrote the header
        Files.write(file, new byte[] {1, 2, 3, 4, 5}, java.nio.file.StandardOpenOption.APPEND);
        try (ColbertIndex index = ColbertIndex.open(file)) {
            assertThat(index.size()).isEqualTo(1);
            assertThat(index.bytes()).isEqualTo(size);
        }
    }

    @Test
    void index_refuses_a_fine_tune_with_the_same_config(@TempDir Path other) {
        Path file = dir.resolve("original.colbert");
        ColbertIndex.build(encoder, Map.of("a", "calcium"), file).close();
        Path tuned = other.resolve("m");
        TestModels.copyTree(TestModels.resourceModel("tiny-colbert"), tuned);
        Path onnx = tuned.resolve("onnx/model.onnx");
        assertThat(OnnxWeights.scaleFloatWeights(onnx, onnx, 1.01f)).isPositive(); // same config, new weights

        try (ColbertEncoder fineTune = ColbertEncoder.builder().modelDirectory(tuned).build();
             ColbertIndex index = ColbertIndex.open(file)) {
            assertThat(tuned.resolve("config.json"))
                    .hasSameTextualContentAs(TestModels.resourceModel("tiny-colbert").resolve("config.json"));
            assertThat(fineTune.encodeQuery("calcium").toArray()).as("the fine-tune's vectors differ")
                    .isNotEqualTo(encoder.encodeQuery("calcium").toArray());
            assertThatThrownBy(() -> index.add(fineTune, Map.of("b", "bones")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different ColBERT model");
            assertThatThrownBy(() -> ColbertScoringModel.builder().encoder(fineTune).index(index).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different ColBERT model");
        }
        assertThatThrownBy(() -> {
            try (ColbertEncoder fineTune = ColbertEncoder.builder().modelDirectory(tuned).build()) {
                ColbertIndex.buildOrUpdate(fineTune, Map.of("b", "bones"), file, VectorEncoding.FLOAT16, false);
            }
        }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different ColBERT model");
    }

    @Test
    void index_refuses_an_encoder_of_another_model(@TempDir Path other) throws Exception {
        Path file = dir.resolve("model.colbert");
        ColbertIndex.build(encoder, Map.of("a", "calcium"), file).close();
        TestModels.copyTree(TestModels.resourceModel("tiny-colbert"), other.resolve("m"));
        Path config = other.resolve("m/config.json");
        Files.writeString(config, Files.readString(config).replace("\"doc_maxlen\": 180", "\"doc_maxlen\": 64"));
        try (ColbertEncoder changed = ColbertEncoder.builder().modelDirectory(other.resolve("m")).build();
             ColbertIndex index = ColbertIndex.open(file)) {
            assertThatThrownBy(() -> index.add(changed, Map.of("b", "bones")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different ColBERT model");
        }
    }
}
