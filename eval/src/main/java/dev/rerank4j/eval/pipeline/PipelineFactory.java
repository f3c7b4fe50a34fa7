package dev.rerank4j.eval.pipeline;

import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.data.Document;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * Builds the pipelines of a run from their specs. Models are opened once and shared (every {@code ce@N} uses the
 * same session); {@link #close()} frees them.
 */
public final class PipelineFactory implements AutoCloseable {

    private final Map<String, Document> corpus;
    private final String denseModelId;
    private final Path ceModel;
    private final String ceOnnxFile;
    private final String ceInstruction;
    private final Path colbertModel;
    private final int threads;
    private final Path cacheDir;
    private final int maxDepth;
    private final boolean cacheScores;
    private final boolean showProgress;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private CrossEncoderScoringModel crossEncoder;

    private PipelineFactory(Builder b) {
        this.corpus = b.corpus;
        this.denseModelId = b.denseModelId;
        this.ceModel = b.ceModel;
        this.ceOnnxFile = b.ceOnnxFile;
        this.ceInstruction = b.ceInstruction;
        this.colbertModel = b.colbertModel;
        this.threads = b.threads;
        this.cacheDir = b.cacheDir;
        this.maxDepth = b.maxDepth;
        this.cacheScores = b.cacheScores;
        this.showProgress = b.showProgress;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<RerankPipeline> create(List<PipelineSpec> specs) {
        List<RerankPipeline> pipelines = new ArrayList<>(specs.size());
        for (PipelineSpec spec : specs) {
            pipelines.add(create(spec));
        }
        return pipelines;
    }

    public RerankPipeline create(PipelineSpec spec) {
        return switch (spec.kind()) {
            case DENSE -> new DensePipeline(denseModelId);
            case CROSS_ENCODER -> CascadePipeline.fixedDepth(crossEncoder(), corpus, spec.parameter(), maxDepth,
                    cacheScores);
            case COLBERT -> open(ColbertPipeline.open(colbertModel, corpus, cacheDir, threads, maxDepth,
                    showProgress));
            // ce-sla@MS may rerank anything from 1 candidate to the whole first stage
            case CROSS_ENCODER_SLA -> CascadePipeline.latencyBudget(crossEncoder(), corpus, spec.parameter(), 1,
                    maxDepth, maxDepth, cacheScores);
        };
    }

    private RerankPipeline open(RerankPipeline pipeline) {
        opened.add(pipeline);
        return pipeline;
    }

    CrossEncoderScoringModel crossEncoder() {
        if (crossEncoder == null) {
            if (ceModel == null) {
                throw new IllegalArgumentException("--ce-model is required for ce@N pipelines "
                        + "(no default found at ../shared/models/minilm-l6-ce)");
            }
            CrossEncoderScoringModel.Builder builder = CrossEncoderScoringModel.builder().modelDirectory(ceModel)
                    .intraOpThreads(threads);
            if (ceOnnxFile != null) {
                builder.onnxFile(ceOnnxFile);
            }
            if (ceInstruction != null) {
                builder.instruction(ceInstruction);
            }
            crossEncoder = builder.build();
            opened.add(crossEncoder);
        }
        return crossEncoder;
    }

    @Override
    public void close() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                // closing is best effort; the run's figures are already written
            }
        }
        opened.clear();
    }

    public static final class Builder {
        private Map<String, Document> corpus;
        private String denseModelId;
        private Path ceModel;
        private String ceOnnxFile;
        private String ceInstruction;
        private Path colbertModel;
        private int threads;
        private Path cacheDir = Path.of("target", "rerank4j-cache");
        private int maxDepth = 150;
        private boolean cacheScores;
        private boolean showProgress;

        /** A progress bar while an index is built (else log lines). */
        public Builder showProgress(boolean showProgress) {
            this.showProgress = showProgress;
            return this;
        }

        /** Cross-encoder pipelines score through their own {@code CachingScoringModel} (cold and warm passes). */
        public Builder cacheScores(boolean cacheScores) {
            this.cacheScores = cacheScores;
            return this;
        }

        /** Where indexes (ColBERT) are cached. */
        public Builder cacheDir(Path cacheDir) {
            ensureNotNull(cacheDir, "cacheDir");
            this.cacheDir = cacheDir;
            return this;
        }

        /** The first-stage depth: the longest candidate list, and the most an adaptive pipeline may rerank. */
        public Builder maxDepth(int maxDepth) {
            if (maxDepth < 1) {
                throw new IllegalArgumentException("maxDepth must be >= 1, was " + maxDepth);
            }
            this.maxDepth = maxDepth;
            return this;
        }

        public Builder corpus(Map<String, Document> corpus) {
            this.corpus = corpus;
            return this;
        }

        public Builder denseModelId(String denseModelId) {
            this.denseModelId = denseModelId;
            return this;
        }

        public Builder crossEncoderModel(Path ceModel) {
            this.ceModel = ceModel;
            return this;
        }

        /** Decoder LLM rerankers: the instruction in their prompt (null: the template's default). */
        public Builder crossEncoderInstruction(String ceInstruction) {
            this.ceInstruction = ceInstruction;
            return this;
        }

        public Builder crossEncoderOnnxFile(String ceOnnxFile) {
            this.ceOnnxFile = ceOnnxFile;
            return this;
        }

        public Builder colbertModel(Path colbertModel) {
            this.colbertModel = colbertModel;
            return this;
        }

        public Builder threads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        public PipelineFactory build() {
            ensureNotNull(corpus, "corpus");
            return new PipelineFactory(this);
        }
    }
}
