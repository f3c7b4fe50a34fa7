package dev.rerank4j.eval.report;

import dev.rerank4j.eval.data.CandidateLists.Candidate;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CandidateComparisonTest {

    private static List<Candidate> list(String... ids) {
        return Arrays.stream(ids).map(id -> new Candidate(id, 0)).toList();
    }

    @Test
    void reports_overlap_identical_lists_and_identical_top_10_over_the_reference_queries() {
        Map<String, List<Candidate>> reference = Map.of("q1", list("a", "b", "c", "d"), "q2", list("a", "b"),
                "q3", list("x"));
        Map<String, List<Candidate>> ours = Map.of("q1", list("a", "b", "d", "c"), "q2", list("a", "b"));
        CandidateComparison c = CandidateComparison.compare(ours, reference);
        assertThat(c.queries()).isEqualTo(3);
        assertThat(c.missing()).isEqualTo(1);
        assertThat(c.meanOverlap()).isCloseTo(2.0 / 3, within(1e-12)); // 1 + 1 + 0 (missing) over 3
        assertThat(c.identicalLists()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(c.identicalTop10()).isCloseTo(1.0 / 3, within(1e-12));
    }
}
