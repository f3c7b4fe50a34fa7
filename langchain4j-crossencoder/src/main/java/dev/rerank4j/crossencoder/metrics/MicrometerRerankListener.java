package dev.rerank4j.crossencoder.metrics;

import dev.rerank4j.crossencoder.rag.FallbackReason;
import dev.rerank4j.crossencoder.rag.RerankEvent;
import dev.rerank4j.crossencoder.rag.RerankListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * Records every cascade request ({@code CascadeContentAggregator.builder().listener(...)}) in Micrometer: total
 * duration, the depth chosen, the candidates seen and fallbacks by {@link FallbackReason}. A counter per reason
 * exists from the start (at 0), so dashboards and alerts see it before the first fallback. Thread-safe.
 */
public final class MicrometerRerankListener implements RerankListener {

    private final Timer duration;
    private final DistributionSummary depth;
    private final DistributionSummary candidates;
    private final Map<FallbackReason, Counter> fallbacks = new EnumMap<>(FallbackReason.class);

    public MicrometerRerankListener(MeterRegistry registry, String modelName) {
        this(registry, modelName, Tags.empty());
    }

    public MicrometerRerankListener(MeterRegistry registry, String modelName, Tags extraTags) {
        ensureNotNull(registry, "registry");
        if (modelName == null || modelName.isBlank()) {
            throw new IllegalArgumentException("modelName cannot be blank");
        }
        Tags tags = RerankMetrics.commonTags(modelName).and(extraTags == null ? Tags.empty() : extraTags);
        this.duration = Timer.builder(RerankMetrics.CASCADE_DURATION).tags(tags)
                .description("Wall time of one cascade request, fusion and fallbacks included")
                .publishPercentiles(RerankMetrics.PERCENTILES).register(registry);
        this.depth = DistributionSummary.builder(RerankMetrics.CASCADE_DEPTH).tags(tags)
                .description("Candidates the depth policy sent to reranking").register(registry);
        this.candidates = DistributionSummary.builder(RerankMetrics.CASCADE_CANDIDATES).tags(tags)
                .description("First-stage candidates after fusion").register(registry);
        for (FallbackReason reason : FallbackReason.values()) {
            fallbacks.put(reason, Counter.builder(RerankMetrics.CASCADE_FALLBACKS).tags(tags)
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .description("Cascade requests that did not return a fully reranked list").register(registry));
        }
    }

    @Override
    public void onRerank(RerankEvent event) {
        duration.record(event.totalNanos(), TimeUnit.NANOSECONDS);
        depth.record(event.depthChosen());
        candidates.record(event.candidates());
        event.fallback().ifPresent(reason -> fallbacks.get(reason).increment());
    }
}
