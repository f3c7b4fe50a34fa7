package dev.rerank4j.crossencoder.metrics;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.scoring.ScoringStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * A {@link ScoringModel} decorator that records every call in Micrometer: its duration (OTel GenAI
 * {@code gen_ai.client.operation.duration}) and, from the {@link ScoringStats} the cross-encoder reports, the time
 * split (queue, tokenise, infer), pairs, real and padded tokens, batches and truncated pairs; failures by exception
 * type. Put it outermost ({@code Metered(Caching(CrossEncoder))}) so that cache hits are counted too. Names and tags:
 * {@link RerankMetrics}. Thread-safe; adds no work to the model call besides a few counter updates.
 */
public final class MeteredScoringModel implements ScoringModel {

    private final ScoringModel delegate;
    private final MeterRegistry registry;
    private final Tags tags;
    private final Timer success;
    private final Timer queue;
    private final Timer tokenize;
    private final Timer infer;
    private final DistributionSummary tokenUsage;
    private final Counter cachedPairs;
    private final Counter joinedPairs;
    private final Counter computedPairs;
    private final Counter realTokens;
    private final Counter paddedTokens;
    private final Counter batches;
    private final Counter truncated;

    private MeteredScoringModel(Builder builder) {
        this.delegate = builder.delegate;
        this.registry = builder.registry;
        this.tags = RerankMetrics.commonTags(builder.modelName != null ? builder.modelName : modelName(delegate))
                .and(builder.extraTags);
        this.success = timer(RerankMetrics.OPERATION_DURATION, tags.and(RerankMetrics.ERROR_TYPE, "none"),
                "Duration of one rerank scoring call");
        this.queue = timer(RerankMetrics.QUEUE_DURATION, tags, "Time a scoring call waited for a model worker");
        this.tokenize = timer(RerankMetrics.TOKENIZE_DURATION, tags, "Time a scoring call spent tokenising");
        this.infer = timer(RerankMetrics.INFER_DURATION, tags, "Time a scoring call spent in the inference engine");
        this.tokenUsage = DistributionSummary.builder(RerankMetrics.TOKEN_USAGE).tags(tags)
                .tag(RerankMetrics.TOKEN_TYPE, "input")
                .description("Real (unpadded) tokens of the pairs a scoring call sent to the model").register(registry);
        this.cachedPairs = pairs("cached");
        this.joinedPairs = pairs("joined");
        this.computedPairs = pairs("computed");
        this.realTokens = Counter.builder(RerankMetrics.TOKENS).tags(tags).tag("kind", "real")
                .description("Tokens fed to the model").register(registry);
        this.paddedTokens = Counter.builder(RerankMetrics.TOKENS).tags(tags).tag("kind", "padded")
                .description("Tokens fed to the model").register(registry);
        this.batches = Counter.builder(RerankMetrics.BATCHES).tags(tags).description("Model invocations")
                .register(registry);
        this.truncated = Counter.builder(RerankMetrics.TRUNCATED_PAIRS).tags(tags)
                .description("Pairs cut to the maximum length").register(registry);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
        long start = System.nanoTime();
        Response<List<Double>> response;
        try {
            response = delegate.scoreAll(segments, query);
        } catch (RuntimeException | Error e) {
            long elapsed = System.nanoTime() - start;
            String type = e.getClass().getSimpleName();
            timer(RerankMetrics.OPERATION_DURATION, tags.and(RerankMetrics.ERROR_TYPE, type),
                    "Duration of one rerank scoring call").record(elapsed, TimeUnit.NANOSECONDS);
            Counter.builder(RerankMetrics.ERRORS).tags(tags).tag(RerankMetrics.ERROR_TYPE, type)
                    .description("Failed scoring calls").register(registry).increment();
            throw e;
        }
        success.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        record(segments.size(), response.metadata());
        return response;
    }

    private void record(int pairs, Map<String, Object> metadata) {
        int cached = intValue(metadata, CachingScoringModel.META_CACHE_HITS);
        int joined = intValue(metadata, CachingScoringModel.META_JOINED);
        cachedPairs.increment(cached);
        joinedPairs.increment(joined);
        computedPairs.increment(Math.max(0, pairs - cached - joined));
        Object reported = metadata == null ? null : metadata.get(CrossEncoderScoringModel.META_STATS);
        if (reported instanceof ScoringStats stats) {
            queue.record(stats.queueNanos(), TimeUnit.NANOSECONDS);
            tokenize.record(stats.tokenizeNanos(), TimeUnit.NANOSECONDS);
            infer.record(stats.inferNanos(), TimeUnit.NANOSECONDS);
            tokenUsage.record(stats.realTokens());
            realTokens.increment(stats.realTokens());
            paddedTokens.increment(stats.paddedTokens());
            batches.increment(stats.batches());
            truncated.increment(stats.truncatedPairs());
        }
    }

    private static int intValue(Map<String, Object> metadata, String key) {
        Object value = metadata == null ? null : metadata.get(key);
        return value instanceof Integer n ? n : 0;
    }

    private Counter pairs(String result) {
        return Counter.builder(RerankMetrics.PAIRS).tags(tags).tag("result", result)
                .description("Pairs asked for, by where their score came from").register(registry);
    }

    private Timer timer(String name, Tags timerTags, String description) {
        return Timer.builder(name).tags(timerTags).description(description)
                .publishPercentiles(RerankMetrics.PERCENTILES).register(registry);
    }

    public ScoringModel delegate() {
        return delegate;
    }

    /** The model name the meters are tagged with when none is given: the cross-encoder's folder or hub id. */
    static String modelName(ScoringModel model) {
        ScoringModel inner = model;
        while (true) {
            if (inner instanceof CachingScoringModel caching) {
                inner = caching.delegate();
            } else if (inner instanceof MeteredScoringModel metered) {
                inner = metered.delegate();
            } else {
                break;
            }
        }
        if (inner instanceof CrossEncoderScoringModel crossEncoder) {
            String source = crossEncoder.source();
            Path path = Path.of(source);
            return Files.isDirectory(path) && path.getFileName() != null ? path.getFileName().toString() : source;
        }
        return inner.getClass().getSimpleName();
    }

    public static final class Builder {
        private ScoringModel delegate;
        private MeterRegistry registry;
        private String modelName;
        private Tags extraTags = Tags.empty();

        public Builder delegate(ScoringModel delegate) {
            this.delegate = delegate;
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** {@code gen_ai.request.model} (default the cross-encoder's folder name or hub id, else the class name). */
        public Builder modelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        /** More tags on every meter, e.g. {@code Tags.of("deployment", "eu")} (default none). */
        public Builder tags(Tags tags) {
            this.extraTags = tags != null ? tags : Tags.empty();
            return this;
        }

        public MeteredScoringModel build() {
            ensureNotNull(delegate, "delegate");
            ensureNotNull(registry, "meterRegistry");
            if (modelName != null && modelName.isBlank()) {
                throw new IllegalArgumentException("modelName cannot be blank");
            }
            return new MeteredScoringModel(this);
        }
    }
}
