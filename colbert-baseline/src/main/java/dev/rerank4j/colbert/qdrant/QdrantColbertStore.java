package dev.rerank4j.colbert.qdrant;

import dev.rerank4j.crossencoder.runtime.internal.OptionalDependency;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.rerank4j.colbert.ColbertEncoder;
import dev.rerank4j.colbert.TokenVectors;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.MultiVectorComparator;
import io.qdrant.client.grpc.Collections.MultiVectorConfig;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PrefetchQuery;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.ScoredPoint;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static dev.langchain4j.internal.Utils.getOrDefault;
import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZeroIfNotNull;
import static dev.langchain4j.internal.ValidationUtils.ensureNotBlank;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorFactory.multiVector;
import static io.qdrant.client.VectorFactory.vector;
import static io.qdrant.client.VectorsFactory.namedVectors;
import static io.qdrant.client.WithPayloadSelectorFactory.enable;
import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZero;

/**
 * The ColBERT pipeline inside Qdrant, through the official Java client: each point carries a dense vector and a
 * ColBERT multivector (comparator MaxSim), and one query prefetches the dense top {@code firstStageSize} (150)
 * and reranks them by MaxSim on the server. The multivector has no HNSW graph (m = 0): it is only used to
 * rerank prefetched points, as Qdrant recommends for late-interaction vectors.
 *
 * <p>Point ids are name-based UUIDs of the document ids (Qdrant accepts only integers and UUIDs); the document id
 * and the text are kept in the payload ({@code doc_id}, {@code text}). The caller owns and closes the client.
 */
public final class QdrantColbertStore implements ContentRetriever {

    public static final String DENSE_VECTOR = "dense";
    public static final String COLBERT_VECTOR = "colbert";
    public static final String TEXT_KEY = "text";
    public static final String DOC_ID_KEY = "doc_id";
    public static final int DEFAULT_FIRST_STAGE_SIZE = 150;
    public static final int DEFAULT_MAX_RESULTS = 10;
    private static final int UPSERT_BATCH = 32;

    private final QdrantClient client;
    private final String collection;
    private final EmbeddingModel embeddingModel;
    private final ColbertEncoder encoder;
    private final int firstStageSize;
    private final int maxResults;

    private QdrantColbertStore(Builder b) {
        this.client = b.client;
        this.collection = b.collectionName;
        this.embeddingModel = b.embeddingModel;
        this.encoder = b.encoder;
        this.firstStageSize = getOrDefault(b.firstStageSize, DEFAULT_FIRST_STAGE_SIZE);
        this.maxResults = getOrDefault(b.maxResults, DEFAULT_MAX_RESULTS);
    }

    public static Builder builder() {
        OptionalDependency.require("io.qdrant.client.QdrantClient", "dev.langchain4j:langchain4j-qdrant", "QdrantColbertStore");
        return new Builder();
    }

    /** Creates the collection: named vectors {@code dense} (cosine) and {@code colbert} (cosine, MaxSim multivector). */
    public void createCollection() {
        Map<String, VectorParams> vectors = new LinkedHashMap<>();
        vectors.put(DENSE_VECTOR, VectorParams.newBuilder().setSize(embeddingModel.dimension())
                .setDistance(Distance.Cosine).build());
        vectors.put(COLBERT_VECTOR, VectorParams.newBuilder().setSize(encoder.dim()).setDistance(Distance.Cosine)
                .setMultivectorConfig(MultiVectorConfig.newBuilder().setComparator(MultiVectorComparator.MaxSim))
                .setHnswConfig(HnswConfigDiff.newBuilder().setM(0))
                .build());
        await(() -> client.createCollectionAsync(collection, vectors).get(), "create collection " + collection);
    }

    /** Embeds, encodes and upserts documents (id to text); an existing id is overwritten. */
    public void addAll(Map<String, String> idToText) {
        ensureNotNull(idToText, "idToText");
        List<Map.Entry<String, String>> docs = new ArrayList<>(idToText.entrySet());
        for (Map.Entry<String, String> doc : docs) {
            if (doc.getKey() == null || doc.getValue() == null) {
                throw new IllegalArgumentException("idToText cannot hold null ids or texts (id " + doc.getKey() + ")");
            }
        }
        for (int start = 0; start < docs.size(); start += UPSERT_BATCH) {
            List<Map.Entry<String, String>> batch = docs.subList(start, Math.min(docs.size(), start + UPSERT_BATCH));
            List<String> texts = batch.stream().map(Map.Entry::getValue).toList();
            var dense = embeddingModel.embedAll(texts.stream().map(TextSegment::from).toList()).content();
            List<TokenVectors> colbert = encoder.encodeDocuments(texts);
            List<PointStruct> points = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                String docId = batch.get(i).getKey();
                Map<String, Value> payload = Map.of(TEXT_KEY, value(texts.get(i)), DOC_ID_KEY, value(docId));
                points.add(PointStruct.newBuilder()
                        .setId(id(pointId(docId)))
                        .setVectors(namedVectors(Map.of(
                                DENSE_VECTOR, vector(dense.get(i).vector()),
                                COLBERT_VECTOR, multiVector(colbert.get(i).toArray()))))
                        .putAllPayload(payload)
                        .build());
            }
            await(() -> client.upsertAsync(collection, points).get(), "upsert into " + collection);
        }
    }

    /** Dense prefetch of {@code firstStageSize} points, reranked by MaxSim on the server; best first. */
    public List<Content> search(String query, int limit) {
        if (query == null || query.isBlank()) {
            throw new IllegalArgumentException("query cannot be null or blank");
        }
        ensureGreaterThanZero(limit, "limit");
        float[] dense = embeddingModel.embed(query).content().vector();
        float[][] colbert = encoder.encodeQuery(query).toArray();
        QueryPoints request = QueryPoints.newBuilder()
                .setCollectionName(collection)
                .addPrefetch(PrefetchQuery.newBuilder().setQuery(nearest(dense)).setUsing(DENSE_VECTOR)
                        .setLimit(firstStageSize).build())
                .setQuery(nearest(colbert))
                .setUsing(COLBERT_VECTOR)
                .setLimit(limit)
                .setWithPayload(enable(true))
                .build();
        List<ScoredPoint> points = await(() -> client.queryAsync(request).get(), "query " + collection);
        List<Content> result = new ArrayList<>(points.size());
        for (ScoredPoint point : points) {
            Map<String, Value> payload = point.getPayloadMap();
            String text = payload.containsKey(TEXT_KEY) ? payload.get(TEXT_KEY).getStringValue() : "";
            dev.langchain4j.data.document.Metadata metadata = new dev.langchain4j.data.document.Metadata();
            if (payload.containsKey(DOC_ID_KEY)) {
                metadata.put("id", payload.get(DOC_ID_KEY).getStringValue());
            }
            Map<ContentMetadata, Object> contentMetadata = new EnumMap<>(ContentMetadata.class);
            contentMetadata.put(ContentMetadata.RERANKED_SCORE, (double) point.getScore());
            result.add(Content.from(TextSegment.from(text, metadata), contentMetadata));
        }
        return result;
    }

    @Override
    public List<Content> retrieve(Query query) {
        ensureNotNull(query, "query");
        return search(query.text(), maxResults);
    }

    /** The Qdrant point id of a document id. */
    public static UUID pointId(String documentId) {
        return UUID.nameUUIDFromBytes(documentId.getBytes(StandardCharsets.UTF_8));
    }

    private interface Call<T> {
        T run() throws InterruptedException, ExecutionException;
    }

    private static <T> T await(Call<T> call, String what) {
        try {
            return call.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during Qdrant " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Qdrant " + what + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** LangChain4j style: null means the default; {@link #build()} checks every value once. */
    public static final class Builder {
        private QdrantClient client;
        private String collectionName;
        private EmbeddingModel embeddingModel;
        private ColbertEncoder encoder;
        private Integer firstStageSize;
        private Integer maxResults;

        private Builder() {
        }

        public Builder client(QdrantClient client) {
            this.client = client;
            return this;
        }

        public Builder collectionName(String collectionName) {
            this.collectionName = collectionName;
            return this;
        }

        /** The dense first-stage model (its dimension sizes the {@code dense} vector). */
        public Builder embeddingModel(EmbeddingModel embeddingModel) {
            this.embeddingModel = embeddingModel;
            return this;
        }

        public Builder encoder(ColbertEncoder encoder) {
            this.encoder = encoder;
            return this;
        }

        /**
         * Dense candidates prefetched and reranked by MaxSim (default {@value #DEFAULT_FIRST_STAGE_SIZE}); the same
         * option as {@code ColbertContentRetriever.Builder#firstStageSize}.
         */
        public Builder firstStageSize(Integer firstStageSize) {
            this.firstStageSize = firstStageSize;
            return this;
        }

        /** Results of {@link #retrieve} (default {@value #DEFAULT_MAX_RESULTS}). */
        public Builder maxResults(Integer maxResults) {
            this.maxResults = maxResults;
            return this;
        }

        public QdrantColbertStore build() {
            ensureNotNull(client, "client");
            ensureNotNull(embeddingModel, "embeddingModel");
            ensureNotNull(encoder, "encoder");
            ensureNotBlank(collectionName, "collectionName");
            ensureGreaterThanZeroIfNotNull(firstStageSize, "firstStageSize");
            ensureGreaterThanZeroIfNotNull(maxResults, "maxResults");
            return new QdrantColbertStore(this);
        }
    }
}
