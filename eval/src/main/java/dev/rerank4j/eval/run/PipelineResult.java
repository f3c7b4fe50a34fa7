package dev.rerank4j.eval.run;

import dev.rerank4j.eval.metrics.Latencies;

/**
 * The figures of one pipeline over one run. Nullable fields are absent measures (reported as JSON null).
 *
 * @param queries         queries with at least one relevant document (the ranking metrics' denominator)
 * @param answerRecall8   share of answerable questions with a gold answer in the top-8 passages
 * @param exactMatch      generated answers (answerable questions), SQuAD exact match
 * @param tokenF1         generated answers (answerable questions), SQuAD token F1
 * @param declinedUnanswerable share of unanswerable questions the chat model declined
 * @param latency         per-query milliseconds, first stage included
 * @param queriesPerSecond queries over summed per-query latency
 * @param pairsPerSecond  model inputs (pairs or documents) over summed rerank time; null without a reranker
 * @param meanDepth       mean number of candidates reranked
 */
public record PipelineResult(String name, String modelId, String engine, int queries, double ndcg10, double mrr10,
                             double recall100, double p5, Double answerRecall8, Integer answerableQuestions,
                             Double exactMatch, Double tokenF1, Double declinedUnanswerable, Latencies latency,
                             double queriesPerSecond, Double pairsPerSecond, double meanDepth,
                             double rerankMsMean) {
}
