package dev.rerank4j.crossencoder.metrics;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * Names and tags of every meter this library records (Micrometer names; Prometheus turns dots into underscores
 * and adds {@code _seconds} / {@code _total}). Where the OpenTelemetry GenAI semantic conventions define a metric
 * or attribute it is used as is; everything else carries the {@code rerank4j.} prefix. See docs/metrics.md.
 */
public final class RerankMetrics {

    /** OTel GenAI: duration of one scoring call (timer; tag {@code error.type}, "none" on success). */
    public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";
    /** OTel GenAI: tokens per scoring call that reached the model (summary; {@code gen_ai.token.type=input}). */
    public static final String TOKEN_USAGE = "gen_ai.client.token.usage";

    public static final String QUEUE_DURATION = "rerank4j.scoring.queue.duration";
    public static final String TOKENIZE_DURATION = "rerank4j.scoring.tokenize.duration";
    public static final String INFER_DURATION = "rerank4j.scoring.infer.duration";
    /** Pairs asked for, tag {@code result}: cached (L1 or L2 hit), joined (a concurrent call computed it), computed. */
    public static final String PAIRS = "rerank4j.scoring.pairs";
    /** Tokens fed to the model, tag {@code kind}: real or padded (padding included). */
    public static final String TOKENS = "rerank4j.scoring.tokens";
    public static final String BATCHES = "rerank4j.scoring.batches";
    public static final String TRUNCATED_PAIRS = "rerank4j.scoring.truncated.pairs";
    /** Failed scoring calls, tag {@code error.type}: the exception's simple class name. */
    public static final String ERRORS = "rerank4j.scoring.errors";

    public static final String CASCADE_DURATION = "rerank4j.cascade.duration";
    public static final String CASCADE_DEPTH = "rerank4j.cascade.depth";
    public static final String CASCADE_CANDIDATES = "rerank4j.cascade.candidates";
    /** Cascade requests that fell back, tag {@code reason}: a FallbackReason in lower case. */
    public static final String CASCADE_FALLBACKS = "rerank4j.cascade.fallbacks";

    /** The {@code cache} tag of the local (L1) Caffeine cache's {@code cache.*} meters. */
    public static final String L1_CACHE_NAME = "rerank4j.l1";
    public static final String JOINED = "rerank4j.cache.joined";
    /** L2 keys read, tag {@code result}: hit or miss. */
    public static final String L2_GETS = "rerank4j.cache.l2.gets";
    public static final String L2_CORRUPT = "rerank4j.cache.l2.corrupt";
    /** Failed L2 round trips, tag {@code operation}: read or write. */
    public static final String L2_ERRORS = "rerank4j.cache.l2.errors";
    public static final String L2_SKIPPED = "rerank4j.cache.l2.skipped";
    public static final String L2_WRITES = "rerank4j.cache.l2.writes";
    public static final String L2_BREAKER_OPEN = "rerank4j.cache.l2.breaker.open";

    public static final String OPERATION_NAME = "gen_ai.operation.name";
    public static final String OPERATION_RERANK = "rerank";
    public static final String PROVIDER_NAME = "gen_ai.provider.name";
    public static final String PROVIDER = "rerank4j";
    public static final String REQUEST_MODEL = "gen_ai.request.model";
    public static final String ERROR_TYPE = "error.type";
    public static final String TOKEN_TYPE = "gen_ai.token.type";

    /** Client-side percentiles published by every timer (p50, p95, p99). */
    static final double[] PERCENTILES = {0.5, 0.95, 0.99};

    private RerankMetrics() {
    }

    /** The tags every scoring and cascade meter carries. */
    public static Tags commonTags(String modelName) {
        return Tags.of(Tag.of(OPERATION_NAME, OPERATION_RERANK), Tag.of(PROVIDER_NAME, PROVIDER),
                Tag.of(REQUEST_MODEL, modelName));
    }
}
