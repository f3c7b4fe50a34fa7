package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.data.segment.TextSegment;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdaptiveDepthPolicyTest {

    /** Every text counts 10 tokens, so a pair is 10 + 10 + 3 = 23 tokens. */
    private static AdaptiveDepthPolicy.Builder policy() {
        return AdaptiveDepthPolicy.builder().latencyBudget(Duration.ofMillis(100)).utilization(1.0)
                .minDepth(5).maxDepth(100).smoothing(0.5).tokenCounter(text -> 10);
    }

    private static List<TextSegment> candidates(int n) {
        return IntStream.range(0, n).mapToObj(i -> TextSegment.from("passage " + i)).toList();
    }

    private static DepthPolicy.RerankCost cost(int pairs, double nanosPerToken, boolean completed) {
        List<String> passages = Collections.nCopies(pairs, "p");
        return new DepthPolicy.RerankCost("q", passages, -1, (long) (pairs * 23 * nanosPerToken), completed);
    }

    @Test
    void uses_max_depth_until_it_has_measured_the_scorer() {
        AdaptiveDepthPolicy policy = policy().maxDepth(30).build();
        assertThat(policy.depth("q", candidates(150))).isEqualTo(30);
        assertThat(policy.depth("q", candidates(12))).isEqualTo(12);
        assertThat(policy.nanosPerToken()).isEmpty();
    }

    @Test
    void picks_the_largest_depth_whose_predicted_cost_fits_the_budget() {
        AdaptiveDepthPolicy policy = policy().build();
        policy.observe(cost(10, 100_000, true)); // 2.3 ms a pair
        assertThat(policy.nanosPerToken().getAsDouble()).isEqualTo(100_000.0);
        assertThat(policy.depth("q", candidates(150))).isEqualTo(43); // 43 × 2.3 = 98.9 ms ≤ 100 < 44 × 2.3
        assertThat(policy.predict("q", List.of("a", "b"))).contains(Duration.ofNanos(2 * 23 * 100_000));
    }

    @Test
    void utilization_leaves_headroom() {
        AdaptiveDepthPolicy policy = policy().utilization(0.5).build();
        policy.observe(cost(10, 100_000, true));
        assertThat(policy.depth("q", candidates(150))).isEqualTo(21); // 50 ms / 2.3 ms
    }

    @Test
    void never_goes_below_min_depth_or_above_max_depth() {
        AdaptiveDepthPolicy policy = policy().minDepth(5).maxDepth(20).build();
        policy.observe(cost(10, 10_000_000, true)); // 230 ms a pair
        assertThat(policy.depth("q", candidates(150))).isEqualTo(5);
        AdaptiveDepthPolicy fast = policy().minDepth(5).maxDepth(20).build();
        fast.observe(cost(10, 1, true));
        assertThat(fast.depth("q", candidates(150))).isEqualTo(20);
    }

    @Test
    void a_request_admitted_while_others_run_plans_for_the_wait_ahead_of_it() {
        // a slow scorer (2.3 s a pair, 100 s budget), so that the milliseconds this test takes do not matter
        AdaptiveDepthPolicy policy = policy().latencyBudget(Duration.ofSeconds(100)).build();
        policy.observe(cost(10, 100_000_000, true)); // nothing in flight

        assertThat(policy.depth("a", candidates(150))).isEqualTo(43); // fills the budget
        assertThat(policy.depth("b", candidates(150))).isEqualTo(5);  // waits ~99 s for "a": only the minimum
        assertThat(policy.inFlight()).isEqualTo(2);

        policy.observe(new DepthPolicy.RerankCost("a", Collections.nCopies(43, "p"), -1, 43 * 23 * 100_000_000L, true));
        assertThat(policy.inFlight()).isEqualTo(1);
        assertThat(policy.depth("c", candidates(150))).isEqualTo(38); // only "b" (5 pairs, 11.5 s) is ahead now
    }

    @Test
    void waiting_behind_other_requests_is_not_learned_as_a_slower_scorer() {
        // a frozen clock: on the real one the test's own run time shortens the wait predicted for "b"
        AtomicLong now = new AtomicLong();
        AdaptiveDepthPolicy policy = policy().ticker(now::get).build();
        policy.observe(cost(10, 100_000, true));
        policy.depth("a", candidates(150)); // 43 pairs = 989 tokens
        policy.depth("b", candidates(150)); // 5 pairs = 115 tokens, behind "a"

        // "b" took as long as both requests' tokens at the same speed
        policy.observe(new DepthPolicy.RerankCost("b", Collections.nCopies(5, "p"), -1, (989 + 115) * 100_000L, true));

        assertThat(policy.nanosPerToken().getAsDouble()).isCloseTo(100_000.0, org.assertj.core.data.Percentage.withPercentage(2));
    }

    @Test
    void requests_that_are_never_observed_stop_counting_a_budget_after_their_predicted_end() {
        AtomicLong now = new AtomicLong();
        AdaptiveDepthPolicy policy = policy().ticker(now::get).build();
        policy.observe(cost(10, 100_000, true));
        policy.depth("cached, so never observed", candidates(150));
        now.addAndGet(Duration.ofMillis(150).toNanos());
        assertThat(policy.inFlight()).as("within a budget of its predicted end").isEqualTo(1);

        now.addAndGet(Duration.ofMillis(60).toNanos()); // predicted end ~99 ms + budget 100 ms

        assertThat(policy.inFlight()).isZero();
        assertThat(policy.depth("next", candidates(150))).isEqualTo(43);
    }

    @Test
    void completed_requests_move_the_estimate_by_the_smoothing_factor() {
        AdaptiveDepthPolicy policy = policy().build();
        policy.observe(cost(10, 1000, true));
        policy.observe(cost(10, 3000, true));
        assertThat(policy.nanosPerToken().getAsDouble()).isEqualTo(2000.0);
    }

    @Test
    void a_request_cut_off_by_the_deadline_raises_the_estimate_at_once_but_never_lowers_it() {
        AdaptiveDepthPolicy policy = policy().build();
        policy.observe(cost(10, 1000, true));
        policy.observe(cost(10, 50_000, false));
        assertThat(policy.nanosPerToken().getAsDouble()).isEqualTo(50_000.0);
        policy.observe(cost(10, 10, false));
        assertThat(policy.nanosPerToken().getAsDouble()).isEqualTo(50_000.0);
    }

    @Test
    void measured_model_tokens_take_precedence_and_fully_cached_requests_teach_nothing() {
        AdaptiveDepthPolicy policy = policy().build();
        policy.observe(new DepthPolicy.RerankCost("q", List.of("a", "b"), 0, 5_000_000, true));
        assertThat(policy.nanosPerToken()).isEmpty();
        policy.observe(new DepthPolicy.RerankCost("q", List.of("a", "b"), 1000, 5_000_000, true));
        assertThat(policy.nanosPerToken().getAsDouble()).isEqualTo(5000.0);
    }

    @Test
    void counts_tokens_with_the_rerankers_tokenizer_capped_at_its_max_length() {
        try (TextTokenizer tokenizer = TextTokenizer.open(TestModels.resourceModel("tiny-ce").resolve("tokenizer.json"), 16)) {
            AdaptiveDepthPolicy policy = AdaptiveDepthPolicy.builder().tokenizer(tokenizer).build();
            policy.observe(new DepthPolicy.RerankCost("q", List.of("p"), 1, 1000, true)); // 1 µs a token
            String longText = "word ".repeat(100);
            assertThat(policy.predict("hello world", List.of("hello", longText)))
                    .contains(Duration.ofNanos((2 + 1 + 3) * 1000L + 16 * 1000L));
        }
    }

    @Test
    void rejects_inconsistent_settings() {
        assertThatThrownBy(() -> AdaptiveDepthPolicy.builder().minDepth(40).maxDepth(30).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minDepth");
        assertThatThrownBy(() -> AdaptiveDepthPolicy.builder().latencyBudget(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latencyBudget");
        assertThatThrownBy(() -> AdaptiveDepthPolicy.builder().utilization(1.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("utilization");
        assertThatThrownBy(() -> AdaptiveDepthPolicy.builder().smoothing(0.0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smoothing");
    }

    @Test
    void the_aggregator_uses_the_budget_as_its_default_deadline() {
        AdaptiveDepthPolicy policy = policy().build();
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder()
                .scoringModel(new ScriptedScoringModel(t -> 0)).depthPolicy(policy).build();
        assertThat(aggregator.deadline()).contains(Duration.ofMillis(100));
        assertThat(CascadeContentAggregator.builder().scoringModel(new ScriptedScoringModel(t -> 0)).build().deadline())
                .isEmpty();
    }
}
