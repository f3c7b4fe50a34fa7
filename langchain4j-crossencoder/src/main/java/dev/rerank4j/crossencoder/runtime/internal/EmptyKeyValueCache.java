package dev.rerank4j.crossencoder.runtime.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.rerank4j.crossencoder.model.ModelLoadException;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The past key/value inputs of a causal-LM export with a cache (Optimum / transformers.js naming:
 * {@code past_key_values.N.key}, {@code past_key_values.N.value}, shape {@code [batch, kv_heads, past, head_dim]}).
 * A reranker scores each prompt in one pass, so the cache is always empty: each input gets a tensor of its declared
 * element type with a past length of 0 (the attention mask then covers exactly the prompt).
 */
final class EmptyKeyValueCache {

    static final String PREFIX = "past_key_values";

    private final List<CacheInput> inputs;

    private record CacheInput(String name, OnnxJavaType type, long[] shape, int pastAxis) {
    }

    private EmptyKeyValueCache(List<CacheInput> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    static boolean isCacheInput(String name) {
        return name.startsWith(PREFIX);
    }

    /** The cache inputs among a graph's inputs (none for encoders and sequence-classification exports). */
    static EmptyKeyValueCache of(Map<String, NodeInfo> graphInputs, Path modelFile) {
        List<CacheInput> found = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> entry : graphInputs.entrySet()) {
            if (!isCacheInput(entry.getKey())) {
                continue;
            }
            if (!(entry.getValue().getInfo() instanceof TensorInfo info) || info.getShape().length != 4
                    || !(info.type == OnnxJavaType.FLOAT || info.type == OnnxJavaType.FLOAT16
                    || info.type == OnnxJavaType.BFLOAT16)) {
                throw new ModelLoadException("ONNX model " + modelFile + " input " + entry.getKey() + " is "
                        + entry.getValue().getInfo() + "; a past key/value input must be a float, float16 or bfloat16 "
                        + "tensor [batch, kv_heads, past_sequence, head_dim]");
            }
            long[] shape = info.getShape().clone();
            int pastAxis = pastAxis(info);
            for (int axis = 1; axis < shape.length; axis++) {
                if (axis != pastAxis && shape[axis] < 1) {
                    throw new ModelLoadException("ONNX model " + modelFile + " input " + entry.getKey()
                            + " does not declare the size of axis " + axis + " (" + info + "); the number of key/value "
                            + "heads and the head size must be fixed in the graph to feed an empty cache");
                }
            }
            found.add(new CacheInput(entry.getKey(), info.type, shape, pastAxis));
        }
        return new EmptyKeyValueCache(found);
    }

    /** The axis named like {@code past_sequence_length}, else 2 (Optimum's layout). */
    private static int pastAxis(TensorInfo info) {
        String[] names = info.getDimensionNames();
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null && names[i].contains("past")) {
                return i;
            }
        }
        return 2;
    }

    boolean isEmpty() {
        return inputs.isEmpty();
    }

    List<String> names() {
        return inputs.stream().map(CacheInput::name).toList();
    }

    /** Adds one empty cache tensor per input for a batch of {@code batchSize} rows; the caller closes them. */
    void addTo(Map<String, OnnxTensor> feeds, OrtEnvironment env, int batchSize) throws OrtException {
        for (CacheInput input : inputs) {
            long[] shape = input.shape().clone();
            shape[0] = batchSize;
            shape[input.pastAxis()] = 0;
            feeds.put(input.name(), OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0), shape, input.type()));
        }
    }
}
