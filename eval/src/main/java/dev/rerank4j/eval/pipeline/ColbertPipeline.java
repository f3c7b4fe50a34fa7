package dev.rerank4j.eval.pipeline;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.rerank4j.colbert.ColbertContentRetriever;
import dev.rerank4j.colbert.ColbertEncoder;
import dev.rerank4j.colbert.ColbertScoringModel;
import dev.rerank4j.colbert.index.ColbertIndex;
import dev.rerank4j.colbert.index.VectorEncoding;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code colbert}: every first-stage candidate reranked by {@link ColbertContentRetriever} with a
 * {@link ColbertScoringModel} over a {@link ColbertIndex} (the classes an application wires): only the query is
 * encoded at query time. The index file lives in the cache directory, keyed by the corpus content and the model,
 * and is resumed when a build was interrupted.
 */
public final class ColbertPipeline implements RerankPipeline {

    private final String name;
    private final ColbertEncoder encoder;
    private final ColbertIndex index;
    private final boolean ownsResources;
    private final Map<String, Document> corpus;
    private final String modelId;
    private final ColbertContentRetriever retriever;
    private List<Content> current = List.of();

    /**
     * A pipeline over an open encoder and index (both stay open on {@link #close()}; without an index every
     * candidate is encoded at query time); {@code maxCandidates} bounds the first-stage lists it is given.
     */
    public static ColbertPipeline of(String name, ColbertEncoder encoder, ColbertIndex index,
                                     Map<String, Document> corpus, String modelId, int maxCandidates) {
        return new ColbertPipeline(name, encoder, index, false, corpus, modelId, maxCandidates);
    }

    private ColbertPipeline(String name, ColbertEncoder encoder, ColbertIndex index, boolean ownsResources,
                            Map<String, Document> corpus, String modelId, int maxCandidates) {
        if (encoder == null || corpus == null) {
            throw new IllegalArgumentException("encoder and corpus cannot be null");
        }
        this.name = name;
        this.encoder = encoder;
        this.index = index;
        this.ownsResources = ownsResources;
        this.corpus = corpus;
        this.modelId = modelId;
        ColbertScoringModel scorer = ColbertScoringModel.builder().encoder(encoder).index(index)
                .idMetadataKey(CascadePipeline.ID_KEY).build();
        // The first stage hands over the candidates of the query being ranked (the evaluator runs one at a time).
        this.retriever = ColbertContentRetriever.builder().firstStage(query -> current).scoringModel(scorer)
                .maxResults(Math.max(1, maxCandidates)).build();
    }

    /** Opens the model, and opens or builds the corpus index under {@code cacheDir}. */
    public static ColbertPipeline open(Path modelDirectory, Map<String, Document> corpus, Path cacheDir,
                                       int threads, int maxCandidates, boolean showProgress) {
        if (modelDirectory == null) {
            throw new IllegalArgumentException("--colbert-model is required for the colbert pipeline "
                    + "(no default found at ../shared/models/minilm-l6-colbert)");
        }
        if (corpus == null || corpus.isEmpty()) {
            throw new IllegalArgumentException("corpus cannot be empty");
        }
        ColbertEncoder encoder = ColbertEncoder.builder().modelDirectory(modelDirectory).intraOpThreads(threads)
                .build();
        ColbertIndex index = null;
        try {
            Map<String, String> texts = new LinkedHashMap<>();
            corpus.forEach((id, doc) -> texts.put(id, doc.passage()));
            String key = CacheKeys.of(corpus, "colbert:" + Long.toHexString(encoder.modelFingerprint()));
            Path file = cacheDir.resolve("colbert-" + key + ".idx");
            if (Files.isRegularFile(file)) {
                index = ColbertIndex.open(file);
                index.add(encoder, texts, showProgress); // resumes an interrupted build; no-op when complete
            } else {
                index = ColbertIndex.build(encoder, texts, file, VectorEncoding.FLOAT16, showProgress);
            }
            return new ColbertPipeline("colbert", encoder, index, true, corpus, modelDirectory.toString(),
                    maxCandidates);
        } catch (RuntimeException e) {
            if (index != null) {
                index.close();
            }
            encoder.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Ranking rank(Query query, List<Candidate> candidates) {
        List<Content> reranked = rerank(query, candidates);
        List<String> ids = new ArrayList<>(reranked.size());
        for (Content content : reranked) {
            ids.add(content.textSegment().metadata().getString(CascadePipeline.ID_KEY));
        }
        return new Ranking(ids, candidates.size(), candidates.size());
    }

    /** The retriever's answer: every candidate, best first, with its MaxSim score as {@code RERANKED_SCORE}. */
    public List<Content> rerank(Query query, List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            return List.of();
        }
        List<Content> contents = new ArrayList<>(candidates.size());
        for (Candidate candidate : candidates) {
            TextSegment segment = TextSegment.from(CascadePipeline.passage(corpus, candidate.docId()),
                    Metadata.from(CascadePipeline.ID_KEY, candidate.docId()));
            contents.add(Content.from(segment, Map.of(ContentMetadata.SCORE, candidate.score())));
        }
        current = contents;
        List<Content> reranked;
        try {
            reranked = retriever.retrieve(dev.langchain4j.rag.query.Query.from(query.text()));
        } finally {
            current = List.of();
        }
        if (reranked.size() != candidates.size()) {
            throw new IllegalStateException("ColBERT returned " + reranked.size() + " of " + candidates.size()
                    + " candidates for query " + query.id() + " (more candidates than the pipeline's maximum?)");
        }
        return reranked;
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public String engine() {
        return encoder.engineDescription() + (index == null ? ", no index" : ", index " + index.encoding() + " "
                + index.file());
    }

    @Override
    public void close() {
        if (ownsResources) {
            if (index != null) {
                index.close();
            }
            encoder.close();
        }
    }
}
