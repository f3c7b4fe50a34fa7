package dev.rerank4j.crossencoder.metrics;

import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.cache.SharedScoreCacheStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

import java.util.function.ToDoubleFunction;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * Binds a {@link CachingScoringModel}'s meters: the local cache through Micrometer's own Caffeine binder
 * ({@code cache.gets}, {@code cache.puts}, {@code cache.evictions}, {@code cache.size} with
 * {@code cache=rerank4j.l1}), pairs joined to a concurrent computation, and, when it has a shared (L2) cache, its
 * hits, misses, corrupt values, errors, skipped round trips, writes and whether its circuit breaker is open. A
 * {@link MeterBinder}, so Spring Boot binds it when it is a bean.
 */
public final class ScoreCacheMetrics implements MeterBinder {

    private final CachingScoringModel cache;
    private final Tags tags;

    public ScoreCacheMetrics(CachingScoringModel cache) {
        this(cache, Tags.empty());
    }

    public ScoreCacheMetrics(CachingScoringModel cache, Tags tags) {
        ensureNotNull(cache, "cache");
        this.cache = cache;
        this.tags = tags == null ? Tags.empty() : tags;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        CaffeineCacheMetrics.monitor(registry, cache.localCache(), RerankMetrics.L1_CACHE_NAME, tags);
        FunctionCounter.builder(RerankMetrics.JOINED, cache, CachingScoringModel::joinedInFlight).tags(tags)
                .description("Pairs taken from a concurrent call's computation (single flight)").register(registry);
        if (cache.sharedCache().isEmpty()) {
            return;
        }
        counter(registry, RerankMetrics.L2_GETS, Tags.of("result", "hit"), SharedScoreCacheStats::hits,
                "Keys read from the shared cache");
        counter(registry, RerankMetrics.L2_GETS, Tags.of("result", "miss"), SharedScoreCacheStats::misses,
                "Keys read from the shared cache");
        counter(registry, RerankMetrics.L2_CORRUPT, Tags.empty(), SharedScoreCacheStats::corruptValues,
                "Shared-cache values that were not a valid score (read as misses)");
        counter(registry, RerankMetrics.L2_ERRORS, Tags.of("operation", "read"), SharedScoreCacheStats::readErrors,
                "Failed shared-cache round trips");
        counter(registry, RerankMetrics.L2_ERRORS, Tags.of("operation", "write"), SharedScoreCacheStats::writeErrors,
                "Failed shared-cache round trips");
        counter(registry, RerankMetrics.L2_SKIPPED, Tags.empty(), SharedScoreCacheStats::skipped,
                "Shared-cache round trips skipped while the circuit breaker was open");
        counter(registry, RerankMetrics.L2_WRITES, Tags.empty(), SharedScoreCacheStats::writes,
                "Scores written to the shared cache");
        Gauge.builder(RerankMetrics.L2_BREAKER_OPEN, cache, c -> c.sharedStats().breakerOpen() ? 1 : 0).tags(tags)
                .description("1 while the shared cache is skipped (circuit breaker open or half-open)").register(registry);
    }

    private void counter(MeterRegistry registry, String name, Tags extra, ToDoubleFunction<SharedScoreCacheStats> value,
                         String description) {
        FunctionCounter.builder(name, cache, c -> value.applyAsDouble(c.sharedStats())).tags(tags.and(extra))
                .description(description).register(registry);
    }
}
