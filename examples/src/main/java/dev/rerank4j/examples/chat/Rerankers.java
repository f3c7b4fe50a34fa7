package dev.rerank4j.examples.chat;

import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.colbert.ColbertScoringModel;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the rerankers the bot can use. A model that cannot be loaded (missing folder, no network for the hub
 * default) is reported with the reason and left out; the bot then falls back to dense order for that choice.
 * Each model sits behind a score cache, so a repeated question (or {@code /compare}) costs no inference.
 */
final class Rerankers implements AutoCloseable {

    private final Map<RerankerKind, ScoringModel> models = new EnumMap<>(RerankerKind.class);
    private final Map<RerankerKind, String> unavailable = new EnumMap<>(RerankerKind.class);
    private final List<AutoCloseable> resources = new ArrayList<>();

    static Rerankers load(ChatOptions options, PrintStream out) {
        Rerankers rerankers = new Rerankers();
        rerankers.loadCrossEncoder(options, out);
        rerankers.loadColbert(options, out);
        return rerankers;
    }

    Map<RerankerKind, ScoringModel> models() {
        return Collections.unmodifiableMap(models);
    }

    /** Why a reranker is missing, or null when it is loaded. */
    String whyUnavailable(RerankerKind kind) {
        return unavailable.get(kind);
    }

    private void loadCrossEncoder(ChatOptions options, PrintStream out) {
        Path dir = options.ceModel != null ? options.ceModel : ChatOptions.defaultModel("minilm-l6-ce");
        try {
            CrossEncoderScoringModel model;
            if (dir != null) {
                if (!Files.isDirectory(dir)) {
                    throw new IllegalArgumentException("--ce-model folder not found: " + dir.toAbsolutePath());
                }
                model = CrossEncoderScoringModel.builder().modelDirectory(dir).instruction(options.ceInstruction).build();
            } else {
                out.println("Cross-encoder: no local model; trying the Hugging Face hub default "
                        + CrossEncoderScoringModel.DEFAULT_MODEL_ID + " ...");
                model = CrossEncoderScoringModel.builder()
                        .modelId(CrossEncoderScoringModel.DEFAULT_MODEL_ID) // offline when $HF_HUB_OFFLINE is set
                        .showProgress(!options.noProgress)
                        .build();
            }
            resources.add(model);
            models.put(RerankerKind.CE, CachingScoringModel.builder().delegate(model).build());
            out.println("Cross-encoder: " + model.source() + " (" + model.engineDescription() + ")");
        } catch (RuntimeException e) {
            String reason = "cross-encoder unavailable: " + e.getMessage();
            unavailable.put(RerankerKind.CE, reason);
            out.println(reason + " (use --ce-model DIR; falling back to dense order for --reranker ce)");
        }
    }

    private void loadColbert(ChatOptions options, PrintStream out) {
        Path dir = options.colbertModel != null ? options.colbertModel : ChatOptions.defaultModel("minilm-l6-colbert");
        if (dir == null) {
            unavailable.put(RerankerKind.COLBERT, "no ColBERT model (use --colbert-model DIR)");
            return;
        }
        try {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--colbert-model folder not found: " + dir.toAbsolutePath());
            }
            // No index: the (at most rerank-depth) candidates are encoded per question, which is quick at this size.
            ColbertScoringModel model = ColbertScoringModel.builder().modelDirectory(dir).build();
            resources.add(model);
            models.put(RerankerKind.COLBERT, CachingScoringModel.builder().delegate(model)
                    .modelIdentity("colbert:" + Long.toHexString(model.encoder().modelFingerprint())).build());
            out.println("ColBERT: " + dir + " (" + model.encoder().engineDescription() + ")");
        } catch (RuntimeException e) {
            String reason = "ColBERT unavailable: " + e.getMessage();
            unavailable.put(RerankerKind.COLBERT, reason);
            out.println(reason);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                // closing at exit: nothing useful to do with the error
            }
        }
    }
}
