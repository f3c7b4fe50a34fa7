/**
 * Not public API: the engines, tokenizer and batching shared by rerank4j's own modules (the cross-encoder and
 * ColBERT). Classes here are public only so that those modules can use them; they may change in any release.
 * Applications configure them through the builders ({@code CrossEncoderScoringModel.builder()}, ...) and the
 * public types of {@link dev.rerank4j.crossencoder.runtime} ({@code Device}, {@code EngineKind}).
 */
package dev.rerank4j.crossencoder.runtime.internal;
