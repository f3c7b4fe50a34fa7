package dev.rerank4j.eval.data;

/** A query of the set. */
public record Query(String id, String text) {
}
