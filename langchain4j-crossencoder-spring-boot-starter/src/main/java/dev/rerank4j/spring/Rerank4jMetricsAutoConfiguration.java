package dev.rerank4j.spring;

import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.metrics.MeteredScoringModel;
import dev.rerank4j.crossencoder.metrics.MicrometerRerankListener;
import dev.rerank4j.crossencoder.metrics.ScoreCacheMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters for the auto-configured scorer, cache and cascade, when the application has a
 * {@link MeterRegistry} (e.g. from spring-boot-starter-actuator) and {@code rerank4j.metrics.enabled} is not false.
 */
@AutoConfiguration(before = Rerank4jScoringAutoConfiguration.class, afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration"})
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnProperty(prefix = "rerank4j.metrics", name = "enabled", havingValue = "true", matchIfMissing = true)
public class Rerank4jMetricsAutoConfiguration {

    @Bean
    public ScoringModelDecorator rerank4jMetricsDecorator(MeterRegistry registry, Rerank4jProperties properties) {
        String modelName = modelName(properties);
        return model -> {
            if (model instanceof CachingScoringModel cache) {
                new ScoreCacheMetrics(cache).bindTo(registry);
            }
            return MeteredScoringModel.builder().delegate(model).meterRegistry(registry).modelName(modelName).build();
        };
    }

    @Bean
    public MicrometerRerankListener rerank4jMetricsListener(MeterRegistry registry, Rerank4jProperties properties) {
        String modelName = modelName(properties);
        return new MicrometerRerankListener(registry, modelName != null ? modelName : "unknown");
    }

    private static String modelName(Rerank4jProperties properties) {
        String configured = properties.getMetrics().getModelName();
        return configured != null ? configured : properties.getScoringModel().displayName();
    }
}
