package dev.rerank4j.crossencoder.runtime.internal;

import java.util.List;

/**
 * How to talk to one loaded model, resolved once at load time from three sources: {@code config.json} (the
 * {@link ModelFamily}: positions, pad id, padding side), the ONNX graph (which {@link ModelInput}s it declares,
 * fed exactly those) and a probe run (the {@link OutputLayout} of the chosen output). Engines build it when they
 * open; batches are padded with {@link #batch()}; consumers check {@link #output()} before the first request.
 *
 * @param family     the architecture family
 * @param inputs     the inputs fed, in the model's order
 * @param batch      pad id, padding side and position numbering for {@link TokenBatch#of(List, BatchSpec)}
 * @param outputName the output read (ONNX name, or {@code output0} for TorchScript)
 * @param output     what each axis of that output is
 */
public record ModelSignature(ModelFamily family, List<ModelInput> inputs, BatchSpec batch, String outputName,
                             OutputLayout output) {

    public ModelSignature {
        inputs = List.copyOf(inputs);
    }

    @Override
    public String toString() {
        return family + " inputs " + inputs + " padding " + batch.paddingSide().name().toLowerCase(java.util.Locale.ROOT)
                + " with id " + batch.padTokenId() + ", output " + outputName + " " + output;
    }
}
