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

import static dev.langchain4j.internal.Utils.getOrDefault;
import static dev.langchain4j.internal.ValidationUtils.ensureBetween;
import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZero;
import static dev.langchain4j.internal.ValidationUtils.ensureNotBlank;

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

    /** LangChain4j style: null means the default; {@link #build()} checks every value once. */
    public static final class Builder {
        private String host;
        private Integer port;
        private String apiKey;
        private Boolean useTls;
        private String collection;
        private Integer dimension;
        private EmbeddingModel embeddingModel;

        /** Default {@code localhost}. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The gRPC port (default Qdrant's 6334). */
        public Builder port(Integer port) {
            this.port = port;
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** Default false. */
        public Builder useTls(Boolean useTls) {
            this.useTls = useTls;
            return this;
        }

        /** Required: the collection name. */
        public Builder collection(String collection) {
            this.collection = collection;
            return this;
        }

        /** Vector size for a new collection; default the embedding model's dimension. */
        public Builder dimension(Integer dimension) {
            this.dimension = dimension;
            return this;
        }

        public Builder embeddingModel(EmbeddingModel embeddingModel) {
            this.embeddingModel = embeddingModel;
            return this;
        }

        /** Connects, creates the collection when missing, and returns the store (closing it closes the client). */
        public QdrantEmbeddingStore build() {
            ensureNotBlank(collection, "collection");
            String hostName = host != null ? ensureNotBlank(host, "host") : "localhost";
            int grpcPort = port != null ? ensureBetween(port, 1, 65535, "port") : 6334;
            if (dimension != null) {
                ensureGreaterThanZero(dimension, "dimension");
            } else if (embeddingModel == null) {
                throw new IllegalArgumentException("dimension or embeddingModel is required to create the collection");
            }
            int size = dimension != null ? dimension : embeddingModel.dimension();
            QdrantGrpcClient.Builder grpc = QdrantGrpcClient.newBuilder(hostName, grpcPort, getOrDefault(useTls, false));
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
