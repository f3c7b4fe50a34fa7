package dev.rerank4j.spring;

import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.cache.RedisScoreCache;
import dev.rerank4j.crossencoder.cache.SharedScoreCache;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cross-encoder from {@code rerank4j.scoring-model.*} (only when model-directory or model-id is set, and no
 * other {@link ScoringModel} bean exists; closed with the context) and the Redis score cache when
 * {@code rerank4j.cache.redis.enabled=true}.
 */
@AutoConfiguration
@ConditionalOnClass(CrossEncoderScoringModel.class)
@EnableConfigurationProperties(Rerank4jProperties.class)
public class Rerank4jAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(ScoringModel.class)
    @Conditional(ModelConfigured.class)
    public CrossEncoderScoringModel crossEncoderScoringModel(Rerank4jProperties properties) {
        Rerank4jProperties.ScoringModel p = properties.getScoringModel();
        CrossEncoderScoringModel.Builder builder = CrossEncoderScoringModel.builder()
                .engine(p.getEngine())
                .device(Device.parse(p.getDevice()))
                .batchSize(p.getBatchSize())
                .normalize(p.isNormalize())
                .intraOpThreads(p.getIntraOpThreads())
                .maxConcurrentRuns(p.getMaxConcurrentRuns())
                .attentionFusion(p.isAttentionFusion())
                .maxLength(p.getMaxLength())
                .onnxFile(p.getOnnxFile());
        if (p.getModelDirectory() != null) {
            builder.modelDirectory(p.modelDirectoryPath());
        } else {
            builder.modelId(p.getModelId()).revision(p.getRevision()).offline(p.isOffline())
                    .cacheDirectory(p.getCacheDirectory() == null ? null : java.nio.file.Path.of(p.getCacheDirectory()));
        }
        try {
            return builder.build();
        } catch (ModelLoadException e) {
            if (p.getOnnxFile() != null && String.valueOf(e.getMessage()).contains(p.getOnnxFile())) {
                throw Rerank4jProperties.invalid("scoring-model.onnx-file", p.getOnnxFile(), e.getMessage());
            }
            String property = p.getModelDirectory() != null ? "scoring-model.model-directory" : "scoring-model.model-id";
            Object value = p.getModelDirectory() != null ? p.getModelDirectory() : p.getModelId();
            throw Rerank4jProperties.invalid(property, value, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw namingTheProperty(e, p);
        }
    }

    /** The builder names its option first ("maxLength 9999 exceeds ..."): report the property that set it. */
    static RuntimeException namingTheProperty(IllegalArgumentException e, Rerank4jProperties.ScoringModel p) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("maxLength", p.getMaxLength());
        options.put("batchSize", p.getBatchSize());
        options.put("onnxFile", p.getOnnxFile());
        options.put("device", p.getDevice());
        options.put("intraOpThreads", p.getIntraOpThreads());
        options.put("maxConcurrentRuns", p.getMaxConcurrentRuns());
        options.put("modelId", p.getModelId());
        String message = String.valueOf(e.getMessage());
        for (Map.Entry<String, Object> option : options.entrySet()) {
            if (message.startsWith(option.getKey() + " ")) {
                String property = "scoring-model." + option.getKey().replaceAll("([A-Z])", "-$1").toLowerCase();
                return Rerank4jProperties.invalid(property, option.getValue(), message);
            }
        }
        return new IllegalStateException("rerank4j.scoring-model.* does not describe a usable model: " + message, e);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "rerank4j.cache.redis", name = "enabled", havingValue = "true")
    @ConditionalOnClass(name = {"redis.clients.jedis.UnifiedJedis", "io.github.resilience4j.circuitbreaker.CircuitBreaker"})
    static class RedisCacheConfiguration {

        @Bean
        @ConditionalOnMissingBean(SharedScoreCache.class)
        RedisScoreCache redisScoreCache(Rerank4jProperties properties) {
            Rerank4jProperties.Redis p = properties.getCache().getRedis();
            return RedisScoreCache.builder().uri(p.getUri()).keyPrefix(p.getKeyPrefix()).ttl(p.getTtl())
                    .timeout(p.getTimeout()).coolDown(p.getCoolDown()).errorLogInterval(p.getErrorLogInterval())
                    .maxConnections(p.getMaxConnections()).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "rerank4j.cache.redis", name = "enabled", havingValue = "true")
    @Conditional(RedisClassMissing.class)
    static class RedisUnavailable {

        @Bean
        SharedScoreCache redisScoreCacheUnavailable() {
            throw Rerank4jProperties.invalid("cache.redis.enabled", true, "the Redis score cache needs "
                    + "redis.clients:jedis and io.github.resilience4j:resilience4j-circuitbreaker on the class path");
        }
    }

    /** Jedis or Resilience4j is not on the class path. */
    static class RedisClassMissing extends AnyNestedCondition {

        RedisClassMissing() {
            super(ConfigurationPhase.PARSE_CONFIGURATION);
        }

        @ConditionalOnMissingClass("redis.clients.jedis.UnifiedJedis")
        static class Jedis {
        }

        @ConditionalOnMissingClass("io.github.resilience4j.circuitbreaker.CircuitBreaker")
        static class Resilience4j {
        }
    }

    /** A model is configured: model-directory or model-id is set. */
    static class ModelConfigured extends AnyNestedCondition {

        ModelConfigured() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(prefix = "rerank4j.scoring-model", name = "model-directory")
        static class Directory {
        }

        @ConditionalOnProperty(prefix = "rerank4j.scoring-model", name = "model-id")
        static class HubId {
        }
    }
}
