package dev.rerank4j.crossencoder.cache;

/**
 * What makes a scoring model's scores what they are: two models with the same identity must give the same score
 * for the same (query, passage). The score cache keys on it, so a changed model file, maximum length or
 * normalisation never serves stale scores.
 */
public interface ModelIdentity {

    /** A stable description, e.g. source + SHA-256 of the model file + max length + normalisation. */
    String modelIdentity();
}
