package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.model.ModelLoadException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The graph {@link OnnxRuntimeEngine} loads: the model file's bytes after a load-time rewrite
 * ({@link LastTokenLogitsCut}, {@link AttentionFusion}), or null to load the file as it is; and the note that says
 * which (shown in the engine's description and the load log).
 *
 * @param model  the rewritten ONNX bytes, or null
 * @param note   what was done, or why not ("" when no rewrite was asked for)
 * @param action the rewrite's name, for {@link #refused}
 * @param fusion the batches the rewritten graph's fused attention serves; OFF when it has none
 */
record GraphRewrite(byte[] model, String note, String action, AttentionFusion.Mode fusion) {

    static final GraphRewrite NONE = new GraphRewrite(null, "", "", AttentionFusion.Mode.OFF);

    /** Why ONNX Runtime's refusal left the graph as it is. */
    String refused(String error) {
        return action + " not applied: ONNX Runtime refused the rewritten graph: " + error;
    }

    static GraphRewrite lastTokenLogits(Path modelFile, String preferredOutput) {
        String action = "logits cut";
        return read(modelFile, action, bytes -> {
            LastTokenLogitsCut.Outcome outcome = LastTokenLogitsCut.apply(bytes, preferredOutput);
            if (outcome instanceof LastTokenLogitsCut.Cut cut) {
                return new GraphRewrite(cut.model(), "logits cut after the last-token gather of " + cut.hiddenState()
                        + " (LM head " + cut.projection() + ")", action, AttentionFusion.Mode.OFF);
            }
            return new GraphRewrite(null, "logits not cut: " + ((LastTokenLogitsCut.NotCut) outcome).reason(), action,
                    AttentionFusion.Mode.OFF);
        });
    }

    static GraphRewrite attentionFusion(Path modelFile, AttentionFusion.Mode mode) {
        String action = "attention fusion";
        return read(modelFile, action, bytes -> {
            AttentionFusion.Outcome outcome = AttentionFusion.apply(bytes, mode);
            if (outcome instanceof AttentionFusion.Fused fused) {
                return new GraphRewrite(fused.model(), "attention fused for unpadded batches in " + fused.fused()
                        + " of " + fused.attentions() + " blocks" + (mode == AttentionFusion.Mode.UNPADDED_BATCHES
                        ? ", padding mask dropped (batches must be unpadded)"
                        : ", padded batches take the exported operators")
                        + (fused.firstMiss() == null ? "" : " (" + fused.firstMiss() + ")"), action, fused.mode());
            }
            return new GraphRewrite(null, "attention not fused: " + ((AttentionFusion.NotFused) outcome).reason(),
                    action, AttentionFusion.Mode.OFF);
        });
    }

    private static GraphRewrite read(Path modelFile, String action, Function<byte[], GraphRewrite> rewrite) {
        byte[] bytes;
        try {
            // the file and its rewritten copy are both in the heap for a moment: skip what would not fit
            long needed = 2 * Files.size(modelFile) + (64L << 20);
            Runtime runtime = Runtime.getRuntime();
            long available = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
            if (needed > available) {
                return new GraphRewrite(null, action + " not applied: rewriting " + modelFile + " needs ~"
                        + (needed >> 20) + " MiB of heap, " + (available >> 20) + " MiB free (raise -Xmx)", action,
                        AttentionFusion.Mode.OFF);
            }
            bytes = Files.readAllBytes(modelFile);
        } catch (IOException | OutOfMemoryError e) {
            return new GraphRewrite(null, action + " not applied: cannot read " + modelFile + " into memory: " + e, action,
                    AttentionFusion.Mode.OFF);
        }
        try {
            return rewrite.apply(bytes);
        } catch (IllegalStateException e) {
            throw new ModelLoadException("ONNX model file " + modelFile + " is not a readable ONNX protobuf: "
                    + e.getMessage(), e);
        }
    }
}
