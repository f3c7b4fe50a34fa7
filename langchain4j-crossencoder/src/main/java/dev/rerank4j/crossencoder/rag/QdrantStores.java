package dev.rerank4j.crossencoder.rag;

import dev.rerank4j.crossencoder.runtime.internal.OptionalDependency;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.qdrant.QdrantEmbeddingStore;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutionException;

/**
 * Builds a LangChain4j {@link QdrantEmbeddingStore} for {@link DenseIndex}, creating the collection (cosine, the
 * embedding model's dimension) when it is missing.
 *
 * <pre>{@code
 * var store = QdrantStores.builder().host("localhost").port(6334).collection("docs")
 *         .embeddingModel(model).build();
 * var index = DenseIndex.builder().embeddingModel(model).embeddingStore(store).build();
 * }</pre>
 */
public final class QdrantStores {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantStores.class);

    private QdrantStores() {
    }

    public static Builder builder() {
        OptionalDependency.require("io.qdrant.client.QdrantClient", "dev.langchain4j:langchain4j-qdrant", "QdrantStores");
        return new Builder();
    }

    /** Creates a cosine collection of {@code dimension} when none of that name exists; returns whether it did. */
    public static boolean ensureCollection(QdrantClient client, String collection, int dimension) {
        try {
            if (Boolean.TRUE.equals(client.collectionExistsAsync(collection).get())) {
                return false;
            }
            client.createCollectionAsync(collection, VectorParams.newBuilder()
                    .setDistance(Distance.Cosine)
                    .setSize(dimension)
                    .build()).get();
            LOG.info("Created Qdrant collection '{}' (cosine, dimension {})", collection, dimension);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating Qdrant collection '" + collection + "'", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot check or create Qdrant collection '" + collection + "': "
                    + e.getCause(), e.getCause());
        }
    }

    public static final class Builder {
        private String host = "localhost";
        private int port = 6334;
        private String apiKey;
        private boolean useTls;
        private String collection;
        private Integer dimension;
        private EmbeddingModel embeddingModel;

        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host cannot be blank");
            }
            this.host = host;
            return this;
        }

        /** The gRPC port (Qdrant's default 6334). */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be in 1..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder useTls(boolean useTls) {
            this.useTls = useTls;
            return this;
        }

        public Builder collection(String collection) {
            if (collection == null || collection.isBlank()) {
                throw new IllegalArgumentException("collection cannot be blank");
            }
            this.collection = collection;
            return this;
        }

        /** Vector size for a new collection; default the embedding model's dimension. */
        public Builder dimension(int dimension) {
            if (dimension < 1) {
                throw new IllegalArgumentException("dimension must be >= 1, was " + dimension);
            }
            this.dimension = dimension;
            return this;
        }

        public Builder embeddingModel(EmbeddingModel embeddingModel) {
            this.embeddingModel = embeddingModel;
            return this;
        }

        /** Connects, creates the collection when missing, and returns the store (closing it closes the client). */
        public QdrantEmbeddingStore build() {
            if (collection == null) {
                throw new IllegalArgumentException("collection is required");
            }
            if (dimension == null && embeddingModel == null) {
                throw new IllegalArgumentException("dimension or embeddingModel is required to create the collection");
            }
            int size = dimension != null ? dimension : embeddingModel.dimension();
            QdrantGrpcClient.Builder grpc = QdrantGrpcClient.newBuilder(host, port, useTls);
            if (apiKey != null && !apiKey.isBlank()) {
                grpc.withApiKey(apiKey);
            }
            QdrantClient client = new QdrantClient(grpc.build());
            try {
                ensureCollection(client, collection, size);
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
            return QdrantEmbeddingStore.builder().client(client).collectionName(collection).build();
        }
    }
}
