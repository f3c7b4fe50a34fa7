package dev.rerank4j.eval.data;

import dev.rerank4j.eval.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BeirDatasetTest {

    @TempDir
    Path dir;

    @Test
    void loads_corpus_queries_qrels_and_answers_of_a_split() {
        BeirDataset set = BeirDataset.load(Fixtures.tinyBeir(), "test");
        assertThat(set.name()).isEqualTo("tiny");
        assertThat(set.corpus()).hasSize(6);
        assertThat(set.corpus().get("d1").passage()).isEqualTo("Paris Paris is the capital and largest city of France.");
        assertThat(set.corpus().get("d3").passage()).as("empty title: text only")
                .isEqualTo("The Eiffel Tower was completed in 1889 for the World's Fair.");
        assertThat(set.queries()).hasSize(5);
        assertThat(set.judgedQueries()).extracting(Query::id).containsExactly("q1", "q2", "q3", "q4");
        assertThat(set.qrels().get("q1")).containsEntry("d1", 2).containsEntry("d3", 1);
        assertThat(set.answers()).isPresent();
        assertThat(set.answers().get().get("q4").answerable()).isFalse();
        assertThat(set.answers().get().get("q2").answers()).containsExactly("in 1889", "1889");
    }

    @Test
    void a_set_without_answers_has_none() throws IOException {
        copyTiny();
        Files.delete(dir.resolve("answers.jsonl"));
        assertThat(BeirDataset.load(dir, "test").answers()).isEmpty();
    }

    @Test
    void invalid_json_names_file_and_line() throws IOException {
        copyTiny();
        List<String> lines = Files.readAllLines(dir.resolve("corpus.jsonl"));
        lines.set(2, "{\"_id\": \"d3\", \"text\": ");
        Files.write(dir.resolve("corpus.jsonl"), lines);
        assertThatThrownBy(() -> BeirDataset.load(dir, "test")).isInstanceOf(BeirFormatException.class)
                .hasMessageStartingWith(dir.resolve("corpus.jsonl") + ":3: invalid JSON")
                .satisfies(e -> assertThat(((BeirFormatException) e).line()).isEqualTo(3));
    }

    @Test
    void a_missing_field_names_the_field_file_and_line() throws IOException {
        copyTiny();
        Files.writeString(dir.resolve("queries.jsonl"), "{\"_id\": \"q1\", \"text\": \"x\"}\n{\"_id\": \"q2\"}\n");
        assertThatThrownBy(() -> BeirDataset.load(dir, "test"))
                .hasMessage(dir.resolve("queries.jsonl") + ":2: missing field \"text\"");
    }

    @Test
    void qrels_with_a_wrong_field_count_or_score_or_query_are_rejected_with_the_line() throws IOException {
        copyTiny();
        Path qrels = dir.resolve("qrels/test.tsv");
        Files.writeString(qrels, "query-id\tcorpus-id\tscore\nq1\td1\n");
        assertThatThrownBy(() -> BeirDataset.load(dir, "test")).hasMessageStartingWith(qrels + ":2: expected 3");
        Files.writeString(qrels, "q1\td1\thigh\n");
        assertThatThrownBy(() -> BeirDataset.load(dir, "test")).hasMessageStartingWith(qrels + ":1: score");
        Files.writeString(qrels, "q1\td1\t1\nq9\td1\t1\n");
        assertThatThrownBy(() -> BeirDataset.load(dir, "test")).hasMessageContaining(":2: query id \"q9\"");
    }

    @Test
    void answers_must_be_an_array_of_strings() throws IOException {
        copyTiny();
        Files.writeString(dir.resolve("answers.jsonl"), "{\"query_id\": \"q1\", \"answers\": \"Paris\"}\n");
        assertThatThrownBy(() -> BeirDataset.load(dir, "test"))
                .hasMessage(dir.resolve("answers.jsonl") + ":1: field \"answers\" must be an array of strings");
    }

    @Test
    void an_unknown_split_lists_the_splits_there_are() {
        assertThatThrownBy(() -> BeirDataset.load(Fixtures.tinyBeir(), "dev"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("split 'dev'")
                .hasMessageContaining("[test]");
    }

    @Test
    void a_missing_directory_or_blank_split_is_an_argument_error() {
        assertThatThrownBy(() -> BeirDataset.load(dir.resolve("nope"), "test"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> BeirDataset.load(Fixtures.tinyBeir(), " ")).hasMessageContaining("split");
    }

    @Test
    void candidate_lists_are_read_in_rank_order_and_bad_lines_are_located() throws IOException {
        var lists = CandidateLists.read(Fixtures.tinyCandidates());
        assertThat(lists.get("q1")).extracting(CandidateLists.Candidate::docId).containsExactly("d2", "d1", "d5", "d3");
        Path bad = dir.resolve("c.tsv");
        Files.writeString(bad, "q1\td1\t1\t0.5\nq1\td2\tsecond\t0.4\n");
        assertThatThrownBy(() -> CandidateLists.read(bad)).hasMessageStartingWith(bad + ":2:");
    }

    private void copyTiny() throws IOException {
        Path from = Fixtures.tinyBeir();
        Files.createDirectories(dir.resolve("qrels"));
        for (String file : List.of("corpus.jsonl", "queries.jsonl", "answers.jsonl", "qrels/test.tsv")) {
            Files.copy(from.resolve(file), dir.resolve(file));
        }
    }
}
