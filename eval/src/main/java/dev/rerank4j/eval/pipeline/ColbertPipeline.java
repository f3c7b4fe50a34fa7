package dev.rerank4j.eval.pipeline;

import dev.rerank4j.colbert.ColbertEncoder;
import dev.rerank4j.colbert.MaxSim;
import dev.rerank4j.colbert.index.ColbertIndex;
import dev.rerank4j.colbert.index.VectorEncoding;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code colbert}: every first-stage candidate reranked by MaxSim against its precomputed vectors in a
 * {@link ColbertIndex}. Only the query is encoded at query time. The index file lives in the cache directory,
 * keyed by the corpus content and the model, and is resumed when a build was interrupted.
 */
public final class ColbertPipeline implements RerankPipeline {

    private final ColbertEncoder encoder;
    private final ColbertIndex index;
    private final String modelId;

    private ColbertPipeline(ColbertEncoder encoder, ColbertIndex index, String modelId) {
        this.encoder = encoder;
        this.index = index;
        this.modelId = modelId;
    }

    /** Opens the model, and opens or builds the corpus index under {@code cacheDir}. */
    public static ColbertPipeline open(Path modelDirectory, Map<String, Document> corpus, Path cacheDir,
                                       int threads) {
        if (modelDirectory == null) {
            throw new IllegalArgumentException("--colbert-model is required for the colbert pipeline "
                    + "(no default found at ../shared/models/minilm-l6-colbert)");
        }
        if (corpus == null || corpus.isEmpty()) {
            throw new IllegalArgumentException("corpus cannot be empty");
        }
        ColbertEncoder encoder = ColbertEncoder.builder().modelDirectory(modelDirectory).intraOpThreads(threads)
                .build();
        try {
            Map<String, String> texts = new LinkedHashMap<>();
            corpus.forEach((id, doc) -> texts.put(id, doc.passage()));
            String key = CacheKeys.of(corpus, "colbert:" + Long.toHexString(encoder.modelFingerprint()));
            Path file = cacheDir.resolve("colbert-" + key + ".idx");
            ColbertIndex index;
            if (Files.isRegularFile(file)) {
                index = ColbertIndex.open(file);
                index.add(encoder, texts); // resumes an interrupted build; no-op when complete
            } else {
                index = ColbertIndex.build(encoder, texts, file, VectorEncoding.FLOAT16, true);
            }
            return new ColbertPipeline(encoder, index, modelDirectory.toString());
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "colbert";
    }

    @Override
    public Ranking rank(Query query, List<Candidate> candidates) {
        MaxSim.Prepared prepared = MaxSim.prepare(encoder.encodeQuery(query.text()));
        double[] scores = new double[candidates.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = index.score(prepared, candidates.get(i).docId());
        }
        return new Ranking(Reorder.prefixByScore(candidates, scores), scores.length, scores.length);
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public String engine() {
        return encoder.engineDescription() + ", index " + index.encoding() + " " + index.file();
    }

    @Override
    public void close() {
        index.close();
        encoder.close();
    }
}
