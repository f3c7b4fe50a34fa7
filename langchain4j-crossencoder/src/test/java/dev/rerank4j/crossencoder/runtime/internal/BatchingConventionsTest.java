package dev.rerank4j.crossencoder.runtime.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Padding id and side, and position numbering, as each family's PyTorch code computes them. */
class BatchingConventionsTest {

    private static final List<EncodedInput> ROWS = List.of(
            EncodedInput.of(new long[] {10, 11, 12, 13}), EncodedInput.of(new long[] {20, 21}));

    @Test
    void bert_pads_right_with_zero_and_numbers_positions_from_zero() {
        TokenBatch batch = TokenBatch.of(ROWS);

        assertThat(batch.inputIds()).containsExactly(10, 11, 12, 13, 20, 21, 0, 0);
        assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 1, 1, 1, 0, 0);
        assertThat(batch.positionIds()).containsExactly(0, 1, 2, 3, 0, 1, 2, 3);
        assertThat(batch.lastTokenIndex(1)).isEqualTo(1);
    }

    @Test
    void roberta_pads_with_its_pad_id_and_numbers_real_tokens_from_pad_plus_one() {
        BatchSpec spec = new BatchSpec(1, BatchSpec.PaddingSide.RIGHT, PositionIds.offsetPastPadding(1));

        TokenBatch batch = TokenBatch.of(ROWS, spec);

        assertThat(batch.inputIds()).containsExactly(10, 11, 12, 13, 20, 21, 1, 1);
        assertThat(batch.positionIds()).containsExactly(2, 3, 4, 5, 2, 3, 1, 1);
    }

    @Test
    void decoders_pad_left_and_count_attended_tokens_so_the_last_token_is_at_the_end() {
        BatchSpec spec = new BatchSpec(7, BatchSpec.PaddingSide.LEFT, PositionIds.countingAttended());

        TokenBatch batch = TokenBatch.of(ROWS, spec);

        assertThat(batch.inputIds()).containsExactly(10, 11, 12, 13, 7, 7, 20, 21);
        assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 1, 0, 0, 1, 1);
        assertThat(batch.positionIds()).containsExactly(0, 1, 2, 3, 1, 1, 0, 1);
        assertThat(batch.lastTokenIndex(0)).isEqualTo(3);
        assertThat(batch.lastTokenIndex(1)).isEqualTo(3);
        assertThat(batch.realTokens()).isEqualTo(6);
    }

    @Test
    void output_axes_are_told_apart_by_two_probe_shapes() {
        assertThat(OutputLayout.classify(new long[] {2, 1, 1}, new long[] {3, 1, 1}).toString())
                .isEqualTo("[batch, 1, 1]");
        assertThat(OutputLayout.classify(new long[] {2, 3, 4}, new long[] {3, 7, 4}).toString())
                .isEqualTo("[batch, sequence, 4]");
        // three labels are not mistaken for the first probe's three tokens
        OutputLayout labels = OutputLayout.classify(new long[] {2, 3}, new long[] {3, 3});
        assertThat(labels.toString()).isEqualTo("[batch, 3]");
        assertThat(labels.valuesPerRow()).isEqualTo(3);
        assertThat(labels.shapeFor(5, 9)).containsExactly(5, 3);
        assertThat(OutputLayout.classify(new long[] {2}, new long[] {3}).valuesPerRow()).isEqualTo(1);
        assertThat(OutputLayout.classify(new long[] {2, 3, 4}, new long[] {3, 7, 4}).valuesPerRow()).isEqualTo(-1);
    }
}
