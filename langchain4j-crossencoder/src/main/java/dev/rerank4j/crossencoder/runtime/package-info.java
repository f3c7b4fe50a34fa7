/**
 * Where a model runs: {@link dev.rerank4j.crossencoder.runtime.EngineKind} (ONNX Runtime or PyTorch) and
 * {@link dev.rerank4j.crossencoder.runtime.Device} (CPU or CUDA); how over-long pairs are cut
 * ({@link dev.rerank4j.crossencoder.runtime.Truncation}). The engines themselves are internal
 * ({@code runtime.internal}).
 */
package dev.rerank4j.crossencoder.runtime;
