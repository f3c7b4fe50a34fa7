package dev.rerank4j.crossencoder.scoring;

import dev.rerank4j.crossencoder.runtime.internal.OutputTensor;
import dev.rerank4j.crossencoder.runtime.internal.TokenBatch;

/**
 * The score of a causal-LM reranker: logit(positive) - logit(negative) of the two answer tokens (Qwen3-Reranker's
 * "yes"/"no", mxbai-rerank-v2's "1"/"0") at each row's last real token; {@code normalize} gives the sigmoid of it,
 * which is the model cards' softmax over the two logits, P(positive).
 *
 * @param positive      token id of the positive answer (looked up in the tokenizer at load time)
 * @param negative      token id of the negative answer
 * @param vocab         logits per position
 * @param lastTokenOnly true for {@code [batch, 1, vocab]} (the graph was cut after the last-token gather), false for
 *                      {@code [batch, sequence, vocab]}
 */
record AnswerLogitHead(long positive, long negative, int vocab, boolean lastTokenOnly, boolean normalize)
        implements ScoreHead {

    @Override
    public double score(OutputTensor output, int row, TokenBatch batch) {
        long positions = lastTokenOnly ? 1 : batch.sequenceLength();
        long position = lastTokenOnly ? 0 : batch.lastTokenIndex(row);
        long base = (row * positions + position) * vocab;
        double logit = (double) output.data()[(int) (base + positive)] - output.data()[(int) (base + negative)];
        return normalize ? 1.0 / (1.0 + Math.exp(-logit)) : logit;
    }

    @Override
    public String describe() {
        return (normalize ? "sigmoid of " : "") + "logit(" + positive + ") - logit(" + negative + ") at the last token"
                + (lastTokenOnly ? " (graph cut to the last token)" : " (full [batch, sequence, " + vocab + "] logits)");
    }
}
