package dev.rerank4j.spring;

import dev.langchain4j.model.scoring.ScoringModel;
import dev.langchain4j.rag.content.aggregator.ContentAggregator;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.cache.SharedScoreCache;
import dev.rerank4j.crossencoder.rag.AdaptiveDepthPolicy;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import dev.rerank4j.crossencoder.rag.RerankListener;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The {@link ScoringModel} applications inject (the cross-encoder behind the score cache, with the
 * {@link ScoringModelDecorator}s applied) and the cascade {@link ContentAggregator} built on whichever
 * {@code ScoringModel} is primary. Each backs off when the application defines its own.
 */
@AutoConfiguration(after = Rerank4jAutoConfiguration.class)
public class Rerank4jScoringAutoConfiguration {

    /** Primary, so that injecting a ScoringModel gets the cached one, not the bare cross-encoder. */
    @Bean(destroyMethod = "")
    @Primary
    @ConditionalOnBean(CrossEncoderScoringModel.class)
    @ConditionalOnMissingBean(value = ScoringModel.class, ignored = CrossEncoderScoringModel.class)
    public ScoringModel rerank4jScoringModel(CrossEncoderScoringModel crossEncoder, Rerank4jProperties properties,
                                             ObjectProvider<SharedScoreCache> sharedCache,
                                             ObjectProvider<ScoringModelDecorator> decorators) {
        Rerank4jProperties.Cache cache = properties.getCache();
        ScoringModel model = crossEncoder;
        if (cache.isEnabled()) {
            CachingScoringModel.Builder builder = CachingScoringModel.builder().delegate(crossEncoder)
                    .maximumSize(cache.getMaximumSize()).sharedCache(sharedCache.getIfAvailable());
            if (cache.getExpireAfterWrite() != null) {
                builder.expireAfterWrite(cache.getExpireAfterWrite());
            }
            model = builder.build();
        }
        for (ScoringModelDecorator decorator : decorators.orderedStream().toList()) {
            model = decorator.decorate(model);
        }
        return model;
    }

    @Bean
    @ConditionalOnBean(ScoringModel.class)
    @ConditionalOnMissingBean(ContentAggregator.class)
    @ConditionalOnProperty(prefix = "rerank4j.cascade", name = "enabled", havingValue = "true", matchIfMissing = true)
    public CascadeContentAggregator rerank4jCascade(ScoringModel scoringModel, Rerank4jProperties properties,
                                                    ObjectProvider<CrossEncoderScoringModel> crossEncoder,
                                                    ObjectProvider<RerankListener> listeners) {
        Rerank4jProperties.Cascade p = properties.getCascade();
        CascadeContentAggregator.Builder builder = CascadeContentAggregator.builder()
                .scoringModel(scoringModel)
                .firstStageSize(p.getFirstStageSize())
                .maxResults(p.getMaxResults())
                .failOpen(p.isFailOpen())
                .minScore(p.getMinScore())
                .deadline(p.getDeadline())
                .listeners(listeners.orderedStream().toList());
        if (p.getLatencyBudget() != null) {
            AdaptiveDepthPolicy.Builder policy = AdaptiveDepthPolicy.builder().latencyBudget(p.getLatencyBudget())
                    .minDepth(p.getMinDepth()).maxDepth(p.getRerankDepth());
            CrossEncoderScoringModel model = crossEncoder.getIfAvailable();
            if (model != null) {
                policy.tokenizer(model.tokenizer());
            }
            builder.depthPolicy(policy.build());
        } else {
            builder.rerankDepth(p.getRerankDepth());
        }
        return builder.build();
    }
}
