package dev.rerank4j.eval.pipeline;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.rerank4j.crossencoder.rag.DenseIndex;
import dev.rerank4j.crossencoder.rag.IngestReport;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * Dense first stage on {@link DenseIndex}: LangChain4j's in-process embedding model (all-MiniLM-L6-v2) and
 * {@code InMemoryEmbeddingStore}, passage = title + " " + text, as the reference candidate lists were made. The
 * store is persisted in {@code cacheDir} under the SHA-256 of the corpus content and the embedding model id, so
 * a second run over the same corpus and model loads it instead of embedding again.
 */
public final class DenseFirstStage implements FirstStage {

    private final DenseIndex index;
    private final String modelId;
    private final int depth;
    private final Path storeFile;
    private final boolean fromCache;

    private DenseFirstStage(DenseIndex index, String modelId, int depth, Path storeFile, boolean fromCache) {
        this.index = index;
        this.modelId = modelId;
        this.depth = depth;
        this.storeFile = storeFile;
        this.fromCache = fromCache;
    }

    /**
     * Indexes the corpus (or loads the cached store).
     *
     * @param modelId identity of the embedding model, part of the cache key
     */
    public static DenseFirstStage build(Map<String, Document> corpus, EmbeddingModel model, String modelId,
                                        int depth, Path cacheDir, boolean showProgress) {
        if (corpus == null || corpus.isEmpty()) {
            throw new IllegalArgumentException("corpus cannot be empty");
        }
        ensureNotNull(model, "model");
        if (modelId == null || modelId.isBlank()) {
            throw new IllegalArgumentException("modelId cannot be blank");
        }
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, was " + depth);
        }
        ensureNotNull(cacheDir, "cacheDir");
        Path storeFile = cacheDir.resolve("dense-" + CacheKeys.of(corpus, modelId) + ".json");
        boolean existed = Files.isRegularFile(storeFile);
        DenseIndex index = DenseIndex.builder().embeddingModel(model).storeFile(storeFile)
                .showProgress(showProgress).build();
        List<dev.langchain4j.data.document.Document> documents = new ArrayList<>(corpus.size());
        for (Document doc : corpus.values()) {
            documents.add(dev.langchain4j.data.document.Document.from(doc.passage(),
                    Metadata.from(DenseIndex.ID_KEY, doc.id())));
        }
        IngestReport report = index.sync(documents);
        return new DenseFirstStage(index, modelId, depth, storeFile, existed && report.embedded() == 0);
    }

    @Override
    public List<Candidate> retrieve(Query query) {
        List<EmbeddingMatch<TextSegment>> matches = index.search(query.text(), depth);
        List<Candidate> candidates = new ArrayList<>(matches.size());
        for (EmbeddingMatch<TextSegment> match : matches) {
            candidates.add(new Candidate(match.embedded().metadata().getString(DenseIndex.ID_KEY), match.score()));
        }
        return candidates;
    }

    public Path cacheFile() {
        return storeFile;
    }

    /** Whether the corpus embeddings came from the cache (nothing had to be embedded). */
    public boolean loadedFromCache() {
        return fromCache;
    }

    @Override
    public String description() {
        return modelId + " + InMemoryEmbeddingStore (DenseIndex), top " + depth;
    }
}
