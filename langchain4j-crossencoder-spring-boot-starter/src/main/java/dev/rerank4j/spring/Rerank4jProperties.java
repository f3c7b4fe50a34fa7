package dev.rerank4j.spring;

import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code rerank4j.*}: the cross-encoder, its score cache (local and Redis), the reranking cascade and metrics. Every
 * value is checked when the context starts; a bad one stops it with an error naming the property.
 */
@ConfigurationProperties(prefix = Rerank4jProperties.PREFIX)
public class Rerank4jProperties implements InitializingBean {

    public static final String PREFIX = "rerank4j";

    private final ScoringModel scoringModel = new ScoringModel();
    private final Cache cache = new Cache();
    private final Cascade cascade = new Cascade();
    private final Metrics metrics = new Metrics();

    public ScoringModel getScoringModel() {
        return scoringModel;
    }

    public Cache getCache() {
        return cache;
    }

    public Cascade getCascade() {
        return cascade;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    @Override
    public void afterPropertiesSet() {
        scoringModel.validate();
        cache.validate();
        cascade.validate();
    }

    static InvalidConfigurationPropertyValueException invalid(String property, Object value, String reason) {
        return new InvalidConfigurationPropertyValueException(PREFIX + "." + property, value, reason);
    }

    private static void atLeast(String property, long value, long minimum) {
        if (value < minimum) {
            throw invalid(property, value, "must be at least " + minimum);
        }
    }

    private static void positive(String property, Duration value) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw invalid(property, value, "must be a positive duration");
        }
    }

    /** {@code rerank4j.scoring-model.*}: the cross-encoder. Set model-directory or model-id to turn it on. */
    public static class ScoringModel {
        /** Hugging Face repository id, downloaded once into cache-directory (e.g. cross-encoder/ms-marco-MiniLM-L-6-v2). */
        private String modelId;
        /** Local model in Hugging Face layout (config.json, tokenizer.json, onnx/model.onnx); never touches the network. */
        // A String, not a Path: Spring would read a Path as a resource location and reject "../models".
        private String modelDirectory;
        /** Hub revision of model-id. */
        private String revision = "main";
        /** Where hub downloads are kept (default $RERANK4J_CACHE or ~/.cache/rerank4j/models). */
        private String cacheDirectory;
        /** Use only the download cache; fail when the model is not there. */
        private boolean offline = false;
        /** Inference engine: AUTO (ONNX Runtime when an ONNX file exists, else TorchScript), ONNX or PYTORCH. */
        private EngineKind engine = EngineKind.AUTO;
        /** Another ONNX export in the model folder, e.g. onnx/model_qint8.onnx. */
        private String onnxFile;
        /** cpu, cuda or cuda:N. */
        private String device = "cpu";
        /** Tokens per (query, passage) pair, special tokens included (default the model's max_length). */
        private Integer maxLength;
        /** Pairs per model invocation. */
        private int batchSize = 32;
        /** Sigmoid of the logit: scores in (0, 1) instead of raw logits. */
        private boolean normalize = false;
        /** Threads per model run (0: automatic; on a CPU with ONNX Runtime one, with one run per core). */
        private int intraOpThreads = 0;
        /** Model runs at once across all requests (0: automatic; on a CPU with ONNX Runtime one per core). */
        private int maxConcurrentRuns = 0;
        /**
         * ONNX Runtime on a CPU: give each self-attention of an encoder its fused kernel for unpadded batches (scores
         * unchanged; false loads the graph as exported).
         */
        private boolean attentionFusion = true;

        void validate() {
            String p = "scoring-model.";
            if (modelId != null && modelDirectory != null) {
                throw invalid(p + "model-directory", modelDirectory, "set either model-directory or model-id, not both");
            }
            if (modelId != null && modelId.isBlank()) {
                throw invalid(p + "model-id", modelId, "must not be blank");
            }
            if (modelDirectory != null) {
                try {
                    if (!Files.isDirectory(Path.of(modelDirectory))) {
                        throw invalid(p + "model-directory", modelDirectory, "is not a directory");
                    }
                } catch (java.nio.file.InvalidPathException e) {
                    throw invalid(p + "model-directory", modelDirectory, "is not a path: " + e.getMessage());
                }
            }
            if (cacheDirectory != null) {
                try {
                    Path.of(cacheDirectory);
                } catch (java.nio.file.InvalidPathException e) {
                    throw invalid(p + "cache-directory", cacheDirectory, "is not a path: " + e.getMessage());
                }
            }
            try {
                Device.parse(device);
            } catch (IllegalArgumentException e) {
                throw invalid(p + "device", device, e.getMessage());
            }
            if (maxLength != null) {
                atLeast(p + "max-length", maxLength, 4);
            }
            atLeast(p + "batch-size", batchSize, 1);
            atLeast(p + "intra-op-threads", intraOpThreads, 0);
            atLeast(p + "max-concurrent-runs", maxConcurrentRuns, 0);
        }

        boolean isConfigured() {
            return modelId != null || modelDirectory != null;
        }

        /** What the meters call the model: the folder name or the hub id. */
        String displayName() {
            Path directory = modelDirectoryPath();
            if (directory != null && directory.getFileName() != null) {
                return directory.getFileName().toString();
            }
            return modelId;
        }

        public String getModelId() {
            return modelId;
        }

        public void setModelId(String modelId) {
            this.modelId = modelId;
        }

        public String getModelDirectory() {
            return modelDirectory;
        }

        public void setModelDirectory(String modelDirectory) {
            this.modelDirectory = modelDirectory;
        }

        Path modelDirectoryPath() {
            return modelDirectory == null ? null : Path.of(modelDirectory);
        }

        public String getRevision() {
            return revision;
        }

        public void setRevision(String revision) {
            this.revision = revision;
        }

        public String getCacheDirectory() {
            return cacheDirectory;
        }

        public void setCacheDirectory(String cacheDirectory) {
            this.cacheDirectory = cacheDirectory;
        }

        public boolean isOffline() {
            return offline;
        }

        public void setOffline(boolean offline) {
            this.offline = offline;
        }

        public EngineKind getEngine() {
            return engine;
        }

        public void setEngine(EngineKind engine) {
            this.engine = engine;
        }

        public String getOnnxFile() {
            return onnxFile;
        }

        public void setOnnxFile(String onnxFile) {
            this.onnxFile = onnxFile;
        }

        public String getDevice() {
            return device;
        }

        public void setDevice(String device) {
            this.device = device;
        }

        public Integer getMaxLength() {
            return maxLength;
        }

        public void setMaxLength(Integer maxLength) {
            this.maxLength = maxLength;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public boolean isNormalize() {
            return normalize;
        }

        public void setNormalize(boolean normalize) {
            this.normalize = normalize;
        }

        public int getIntraOpThreads() {
            return intraOpThreads;
        }

        public void setIntraOpThreads(int intraOpThreads) {
            this.intraOpThreads = intraOpThreads;
        }

        public int getMaxConcurrentRuns() {
            return maxConcurrentRuns;
        }

        public void setMaxConcurrentRuns(int maxConcurrentRuns) {
            this.maxConcurrentRuns = maxConcurrentRuns;
        }

        public boolean isAttentionFusion() {
            return attentionFusion;
        }

        public void setAttentionFusion(boolean attentionFusion) {
            this.attentionFusion = attentionFusion;
        }
    }

    /** {@code rerank4j.cache.*}: the score cache in front of the model. */
    public static class Cache {
        /** Cache scores (local Caffeine cache, and Redis when rerank4j.cache.redis.enabled). */
        private boolean enabled = true;
        /** Entries the local cache holds at most. */
        private long maximumSize = 100_000;
        /** Drop local entries this long after they were written (default never). */
        private Duration expireAfterWrite;
        private final Redis redis = new Redis();

        void validate() {
            atLeast("cache.maximum-size", maximumSize, 0);
            positive("cache.expire-after-write", expireAfterWrite);
            redis.validate();
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public long getMaximumSize() {
            return maximumSize;
        }

        public void setMaximumSize(long maximumSize) {
            this.maximumSize = maximumSize;
        }

        public Duration getExpireAfterWrite() {
            return expireAfterWrite;
        }

        public void setExpireAfterWrite(Duration expireAfterWrite) {
            this.expireAfterWrite = expireAfterWrite;
        }

        public Redis getRedis() {
            return redis;
        }
    }

    /** {@code rerank4j.cache.redis.*}: the shared (L2) score cache every replica reads and writes. */
    public static class Redis {
        /** Share scores between replicas through Redis (needs redis.clients:jedis and resilience4j-circuitbreaker). */
        private boolean enabled = false;
        /** redis://[user:password@]host:port[/database] or rediss://... */
        private String uri = "redis://localhost:6379";
        /** Put before every key: one per deployment, so deployments never share scores. */
        private String keyPrefix = "rerank4j:score:";
        /** How long Redis keeps a score. */
        private Duration ttl = Duration.ofDays(1);
        /** Connect and read timeout of one round trip. */
        private Duration timeout = Duration.ofMillis(100);
        /** How long Redis is skipped after the circuit breaker opened. */
        private Duration coolDown = Duration.ofSeconds(30);
        /** At most one failure warning in the log per interval. */
        private Duration errorLogInterval = Duration.ofMinutes(1);
        /** Pooled connections at most. */
        private int maxConnections = 16;

        void validate() {
            String p = "cache.redis.";
            URI parsed;
            try {
                parsed = URI.create(uri);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw invalid(p + "uri", uri, "is not a URI");
            }
            if (!"redis".equals(parsed.getScheme()) && !"rediss".equals(parsed.getScheme()) || parsed.getHost() == null) {
                throw invalid(p + "uri", uri, "must look like redis://host:port[/database] or rediss://...");
            }
            positive(p + "ttl", ttl);
            positive(p + "timeout", timeout);
            positive(p + "cool-down", coolDown);
            positive(p + "error-log-interval", errorLogInterval);
            atLeast(p + "max-connections", maxConnections, 1);
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getUri() {
            return uri;
        }

        public void setUri(String uri) {
            this.uri = uri;
        }

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        public Duration getTtl() {
            return ttl;
        }

        public void setTtl(Duration ttl) {
            this.ttl = ttl;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Duration getCoolDown() {
            return coolDown;
        }

        public void setCoolDown(Duration coolDown) {
            this.coolDown = coolDown;
        }

        public Duration getErrorLogInterval() {
            return errorLogInterval;
        }

        public void setErrorLogInterval(Duration errorLogInterval) {
            this.errorLogInterval = errorLogInterval;
        }

        public int getMaxConnections() {
            return maxConnections;
        }

        public void setMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
        }
    }

    /** {@code rerank4j.cascade.*}: the ContentAggregator that reranks the first stage's top candidates. */
    public static class Cascade {
        /** Provide the cascade ContentAggregator bean. */
        private boolean enabled = true;
        /** Fused first-stage candidates considered at most. */
        private int firstStageSize = 150;
        /** Candidates reranked (the most, with latency-budget). */
        private int rerankDepth = 30;
        /** Contents returned at most. */
        private int maxResults = 8;
        /** Adapt the depth per request to fit this rerank latency (between min-depth and rerank-depth); also the default deadline. */
        private Duration latencyBudget;
        /** The least depth the adaptive policy picks. */
        private int minDepth = 8;
        /** Hard deadline from the start of a request (default: the latency budget; none without one). */
        private Duration deadline;
        /** On a timeout or scoring failure return first-stage order (true) or throw (false). */
        private boolean failOpen = true;
        /** Drop reranked contents scoring below this. */
        private Double minScore;

        void validate() {
            String p = "cascade.";
            atLeast(p + "first-stage-size", firstStageSize, 1);
            atLeast(p + "rerank-depth", rerankDepth, 0);
            atLeast(p + "max-results", maxResults, 1);
            positive(p + "latency-budget", latencyBudget);
            positive(p + "deadline", deadline);
            atLeast(p + "min-depth", minDepth, 0);
            if (latencyBudget != null) {
                atLeast(p + "rerank-depth", rerankDepth, 1);
                if (minDepth > rerankDepth) {
                    throw invalid(p + "min-depth", minDepth, "exceeds rerank4j.cascade.rerank-depth " + rerankDepth);
                }
            }
            if (minScore != null && minScore.isNaN()) {
                throw invalid(p + "min-score", minScore, "must be a number");
            }
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getFirstStageSize() {
            return firstStageSize;
        }

        public void setFirstStageSize(int firstStageSize) {
            this.firstStageSize = firstStageSize;
        }

        public int getRerankDepth() {
            return rerankDepth;
        }

        public void setRerankDepth(int rerankDepth) {
            this.rerankDepth = rerankDepth;
        }

        public int getMaxResults() {
            return maxResults;
        }

        public void setMaxResults(int maxResults) {
            this.maxResults = maxResults;
        }

        public Duration getLatencyBudget() {
            return latencyBudget;
        }

        public void setLatencyBudget(Duration latencyBudget) {
            this.latencyBudget = latencyBudget;
        }

        public int getMinDepth() {
            return minDepth;
        }

        public void setMinDepth(int minDepth) {
            this.minDepth = minDepth;
        }

        public Duration getDeadline() {
            return deadline;
        }

        public void setDeadline(Duration deadline) {
            this.deadline = deadline;
        }

        public boolean isFailOpen() {
            return failOpen;
        }

        public void setFailOpen(boolean failOpen) {
            this.failOpen = failOpen;
        }

        public Double getMinScore() {
            return minScore;
        }

        public void setMinScore(Double minScore) {
            this.minScore = minScore;
        }
    }

    /** {@code rerank4j.metrics.*}: Micrometer meters (when the application has a MeterRegistry). */
    public static class Metrics {
        /** Record scoring, cascade and cache meters. */
        private boolean enabled = true;
        /** The gen_ai.request.model tag (default the model folder's name or the hub id). */
        private String modelName;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getModelName() {
            return modelName;
        }

        public void setModelName(String modelName) {
            this.modelName = modelName;
        }
    }
}
