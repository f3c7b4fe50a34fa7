package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.model.HuggingFaceDownloader;
import dev.rerank4j.crossencoder.model.ModelDirectory;

import java.nio.file.Path;

/**
 * The checked options of a {@link dev.rerank4j.crossencoder.model.ModelBuilder} with the defaults applied: what a
 * model class needs to find, download and open its model. One holder for the cross-encoder and ColBERT.
 *
 * @param modelDirectory a local model, or null to download {@code modelId}
 */
public record ModelSettings(Path modelDirectory, String modelId, String revision, HuggingFaceDownloader downloader,
                            EngineOptions engineOptions, int batchSize, int maxBatchTokens, double maxPaddingRatio) {

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

    /** Batches of at most {@code batchSize} rows and {@code max(maxBatchTokens, longestRow)} padded tokens. */
    public BatchPlanner batchPlanner(int longestRow) {
        return new BatchPlanner(batchSize, Math.max(maxBatchTokens, longestRow), maxPaddingRatio);
    }
}
