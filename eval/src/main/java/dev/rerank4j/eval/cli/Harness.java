package dev.rerank4j.eval.cli;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.rerank4j.eval.answers.AnswerGenerator;
import dev.rerank4j.eval.answers.ChatModels;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.pipeline.CandidateFileFirstStage;
import dev.rerank4j.eval.pipeline.DenseFirstStage;
import dev.rerank4j.eval.pipeline.FirstStage;
import dev.rerank4j.eval.pipeline.PipelineFactory;
import dev.rerank4j.eval.pipeline.PipelineSpec;
import dev.rerank4j.eval.pipeline.RecordingFirstStage;
import dev.rerank4j.eval.run.EvalResult;
import dev.rerank4j.eval.run.Evaluator;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/** Loads the data, builds the first stage and pipelines, and runs the evaluation for a subcommand. */
final class Harness {

    /** Identity of the dense model (part of the cache key): LangChain4j's bundled all-MiniLM-L6-v2. */
    static final String DENSE_MODEL_ID = "langchain4j/all-minilm-l6-v2 1.19.0-beta29";

    private Harness() {
    }

    static EvalResult evaluate(CommonOptions options, List<PipelineSpec> specs, PrintWriter err) {
        BeirDataset dataset = BeirDataset.load(options.data, options.split);
        err.printf("%s/%s: %d documents, %d judged queries%s%n", dataset.name(), dataset.split(),
                dataset.corpus().size(), dataset.qrels().size(),
                dataset.answers().isPresent() ? ", answers.jsonl present" : "");
        boolean progress = !options.noProgress;
        Optional<ChatModels.Configured> chat = dataset.answers().isPresent()
                ? ChatModels.fromEnvironment(System.getenv()) : Optional.empty();
        try (FirstStage firstStage = firstStage(options, dataset, progress, err);
             PipelineFactory factory = PipelineFactory.builder().corpus(dataset.corpus())
                     .denseModelId(options.candidates != null ? "candidates " + options.candidates : DENSE_MODEL_ID)
                     .crossEncoderModel(options.ceModelDirectory())
                     .crossEncoderOnnxFile(options.ceOnnxFile).crossEncoderInstruction(options.ceInstruction)
                     .colbertModel(options.colbertModelDirectory())
                     .threads(options.threads).cacheDir(options.cacheDirectory()).maxDepth(options.depth)
                     .cacheScores(options.cacheScores).showProgress(progress).build()) {
            Evaluator evaluator = Evaluator.builder().dataset(dataset).firstStage(firstStage)
                    .pipelines(factory.create(specs)).maxQueries(options.maxQueries).showProgress(progress)
                    .answerGenerator(chat.map(c -> new AnswerGenerator(c.model())).orElse(null),
                            chat.map(ChatModels.Configured::description).orElse(null))
                    .build();
            return evaluator.run();
        }
    }

    private static FirstStage firstStage(CommonOptions options, BeirDataset dataset, boolean progress,
                                         PrintWriter err) {
        FirstStage stage = baseFirstStage(options, dataset, progress, err);
        return options.dumpFirstStage == null ? stage : new RecordingFirstStage(stage, options.dumpFirstStage);
    }

    private static FirstStage baseFirstStage(CommonOptions options, BeirDataset dataset, boolean progress,
                                             PrintWriter err) {
        if (options.candidates != null) {
            return new CandidateFileFirstStage(options.candidates, options.depth);
        }
        DenseFirstStage dense = DenseFirstStage.build(dataset.corpus(), new AllMiniLmL6V2EmbeddingModel(),
                DENSE_MODEL_ID, options.depth, options.cacheDirectory(), progress);
        err.println("dense index " + (dense.loadedFromCache() ? "loaded from " : "written to ") + dense.cacheFile());
        return dense;
    }
}
