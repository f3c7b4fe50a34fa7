package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.model.HuggingFaceDownloader;
import dev.rerank4j.crossencoder.model.ModelDirectory;

import java.nio.file.Path;

/**
 * The checked options of a {@link dev.rerank4j.crossencoder.model.ModelBuilder} with the defaults applied: what a
 * model class needs to find, download and open its model. One holder for the cross-encoder and ColBERT.
 *
 * @param modelDirectory  a local model, or null to download {@code modelId}
 * @param maxPaddingRatio the caller's bound, or null for the default, which depends on the engine
 *                        ({@link #maxPaddingRatio(InferenceEngine)})
 */
public record ModelSettings(Path modelDirectory, String modelId, String revision, HuggingFaceDownloader downloader,
                            EngineOptions engineOptions, int batchSize, int maxBatchTokens, Double maxPaddingRatio) {

    /** Where the model comes from, for identities and reports: the directory, or the hub id. */
    public String source() {
        return modelDirectory != null ? modelDirectory.toString() : modelId;
    }

    /** The local model directory, downloading the hub model into the cache first when needed. */
    public ModelDirectory openModelDirectory() {
        if (modelDirectory != null) {
            return ModelDirectory.of(modelDirectory);
        }
        return ModelDirectory.of(downloader.download(modelId, revision, engineOptions.onnxFile()));
    }

    /** The padding bound for batches of {@code engine}: the caller's, else {@link BatchPlanner#defaultMaxPaddingRatio}. */
    public double maxPaddingRatio(InferenceEngine engine) {
        return maxPaddingRatio != null ? maxPaddingRatio : BatchPlanner.defaultMaxPaddingRatio(engine);
    }

    /** Batches of at most {@code batchSize} rows and {@code max(maxBatchTokens, longestRow)} padded tokens. */
    public BatchPlanner batchPlanner(int longestRow, InferenceEngine engine) {
        return new BatchPlanner(batchSize, Math.max(maxBatchTokens, longestRow), maxPaddingRatio(engine));
    }
}
