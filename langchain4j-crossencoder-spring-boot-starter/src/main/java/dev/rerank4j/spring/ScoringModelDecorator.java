package dev.rerank4j.spring;

import dev.langchain4j.model.scoring.ScoringModel;

/**
 * Wraps the auto-configured scoring model (after the cache, before it becomes the {@code ScoringModel} bean), e.g.
 * to record metrics. Beans of this type are applied in {@code @Order}; the metrics auto-configuration adds one.
 */
@FunctionalInterface
public interface ScoringModelDecorator {

    ScoringModel decorate(ScoringModel model);
}
