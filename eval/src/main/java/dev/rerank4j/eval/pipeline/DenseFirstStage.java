package dev.rerank4j.eval.pipeline;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Dense first stage: LangChain4j's in-process embedding model (all-MiniLM-L6-v2) and {@link InMemoryEmbeddingStore},
 * passage = title + " " + text, exactly as the reference candidate lists were made. Corpus embeddings are cached
 * in {@code cacheDir} under the SHA-256 of the corpus content and the embedding model id, so a second run over
 * the same corpus and model does not embed again.
 */
public final class DenseFirstStage implements FirstStage {

    private static final int MAGIC = 0x52344A44; // "R4JD"
    private static final int EMBED_BATCH = 64;

    private final EmbeddingModel model;
    private final String modelId;
    private final InMemoryEmbeddingStore<TextSegment> store;
    private final int depth;
    private final Path cacheFile;
    private final boolean fromCache;

    private DenseFirstStage(EmbeddingModel model, String modelId, InMemoryEmbeddingStore<TextSegment> store, int depth,
                            Path cacheFile, boolean fromCache) {
        this.model = model;
        this.modelId = modelId;
        this.store = store;
        this.depth = depth;
        this.cacheFile = cacheFile;
        this.fromCache = fromCache;
    }

    /**
     * Indexes the corpus (or loads its cached embeddings).
     *
     * @param modelId identity of the embedding model, part of the cache key
     */
    public static DenseFirstStage build(Map<String, Document> corpus, EmbeddingModel model, String modelId,
                                        int depth, Path cacheDir, boolean showProgress) {
        if (corpus == null || corpus.isEmpty()) {
            throw new IllegalArgumentException("corpus cannot be empty");
        }
        if (model == null) {
            throw new IllegalArgumentException("model cannot be null");
        }
        if (modelId == null || modelId.isBlank()) {
            throw new IllegalArgumentException("modelId cannot be blank");
        }
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, was " + depth);
        }
        if (cacheDir == null) {
            throw new IllegalArgumentException("cacheDir cannot be null");
        }
        List<String> ids = new ArrayList<>(corpus.keySet());
        List<String> passages = new ArrayList<>(corpus.size());
        for (Document doc : corpus.values()) {
            passages.add(doc.passage());
        }
        Path cacheFile = cacheDir.resolve("dense-" + cacheKey(ids, passages, modelId) + ".bin");
        List<float[]> vectors = readCache(cacheFile, ids);
        boolean fromCache = vectors != null;
        if (vectors == null) {
            vectors = embed(model, passages, showProgress);
            writeCache(cacheFile, ids, vectors);
        }
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        List<Embedding> embeddings = new ArrayList<>(vectors.size());
        for (float[] vector : vectors) {
            embeddings.add(Embedding.from(vector));
        }
        store.addAll(ids, embeddings, null);
        return new DenseFirstStage(model, modelId, store, depth, cacheFile, fromCache);
    }

    /** SHA-256 over the model id and every (id, passage), in corpus order. */
    static String cacheKey(List<String> ids, List<String> passages, String modelId) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(modelId.getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < ids.size(); i++) {
                digest.update((byte) 0);
                digest.update(ids.get(i).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(passages.get(i).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<float[]> embed(EmbeddingModel model, List<String> passages, boolean showProgress) {
        List<float[]> vectors = new ArrayList<>(passages.size());
        try (Progress progress = Progress.start("Embedding corpus", passages.size(), showProgress)) {
            for (int from = 0; from < passages.size(); from += EMBED_BATCH) {
                List<TextSegment> batch = new ArrayList<>();
                for (String passage : passages.subList(from, Math.min(passages.size(), from + EMBED_BATCH))) {
                    batch.add(TextSegment.from(passage));
                }
                for (Embedding embedding : model.embedAll(batch).content()) {
                    vectors.add(embedding.vector());
                }
                progress.step(batch.size());
            }
        }
        return vectors;
    }

    private static List<float[]> readCache(Path file, List<String> ids) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                return null;
            }
            int count = in.readInt();
            int dim = in.readInt();
            if (count != ids.size()) {
                return null;
            }
            List<float[]> vectors = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                if (!in.readUTF().equals(ids.get(i))) {
                    return null;
                }
                float[] vector = new float[dim];
                for (int d = 0; d < dim; d++) {
                    vector[d] = in.readFloat();
                }
                vectors.add(vector);
            }
            return vectors;
        } catch (IOException e) {
            return null; // a damaged cache is rebuilt
        }
    }

    private static void writeCache(Path file, List<String> ids, List<float[]> vectors) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "dense-", ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                out.writeInt(MAGIC);
                out.writeInt(vectors.size());
                out.writeInt(vectors.get(0).length);
                for (int i = 0; i < vectors.size(); i++) {
                    out.writeUTF(ids.get(i));
                    for (float v : vectors.get(i)) {
                        out.writeFloat(v);
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dense index cache " + file, e);
        }
    }

    @Override
    public List<Candidate> retrieve(Query query) {
        Embedding embedding = model.embed(query.text()).content();
        List<EmbeddingMatch<TextSegment>> matches = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(embedding).maxResults(depth).minScore(0.0).build()).matches();
        List<Candidate> candidates = new ArrayList<>(matches.size());
        for (EmbeddingMatch<TextSegment> match : matches) {
            candidates.add(new Candidate(match.embeddingId(), match.score()));
        }
        return candidates;
    }

    public Path cacheFile() {
        return cacheFile;
    }

    /** Whether the corpus embeddings came from the cache. */
    public boolean loadedFromCache() {
        return fromCache;
    }

    @Override
    public String description() {
        return modelId + " + InMemoryEmbeddingStore, top " + depth;
    }
}
