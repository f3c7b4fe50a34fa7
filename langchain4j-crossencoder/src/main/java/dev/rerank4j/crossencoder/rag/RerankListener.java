package dev.rerank4j.crossencoder.rag;

/**
 * Told about every rerank request of a {@link CascadeContentAggregator}, in the style of LangChain4j's model
 * listeners. Called on the requesting thread after the result is built; an exception from a listener is logged and
 * ignored.
 */
@FunctionalInterface
public interface RerankListener {

    void onRerank(RerankEvent event);
}
