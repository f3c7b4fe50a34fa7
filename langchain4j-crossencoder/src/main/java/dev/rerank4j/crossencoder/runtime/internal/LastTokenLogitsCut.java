package dev.rerank4j.crossencoder.runtime.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.rerank4j.crossencoder.runtime.internal.OnnxProto.*;

/**
 * A load-time rewrite of a causal-LM ONNX graph so that it computes the vocabulary logits of one position per row
 * (the last real token, where a reranker reads its answer) instead of every position: the
 * {@code [batch, sequence, vocab]} output (~600 KB per token for Qwen's 151,936 ids in float32) becomes
 * {@code [batch, 1, vocab]}, and the LM head's matrix product runs on {@code batch} rows instead of
 * {@code batch x sequence}.
 *
 * <p>How: from the output, walk up through {@code Cast} nodes (fp16 exports cast the logits to float32) to the LM
 * head's matrix product ({@code MatMul}, or ONNX Runtime's {@code MatMulNBits} / {@code FusedMatMul}); put a
 * {@code GatherND(batch_dims=1)} on its hidden-state input that picks, per row, the position given by a new int64
 * input {@value #INDEX_INPUT} of shape {@code [batch, 1, 1]}; declare the output as {@code [batch, 1, vocab]}; drop
 * the other outputs (the present key/values, never read). Everything else is copied byte for byte, weights and
 * external-data references included. A graph whose logits come from anything else (e.g. an int8 LM head behind
 * {@code DynamicQuantizeLinear}/{@code MatMulInteger}) is not cut: {@link NotCut} says why and the caller bounds
 * its batches by memory instead.
 */
public final class LastTokenLogitsCut {

    /** The input the cut graph adds: per row, the sequence index of the last real token, int64 {@code [batch,1,1]}. */
    public static final String INDEX_INPUT = "rerank4j_last_token_index";
    private static final String LAST_HIDDEN = "rerank4j_last_token_hidden";
    private static final Set<String> PROJECTIONS = Set.of("MatMul", "MatMulNBits", "FusedMatMul");
    private static final int MIN_OPSET = 12; // GatherND with batch_dims

    private LastTokenLogitsCut() {
    }

    /** What {@link #apply} did. */
    public sealed interface Outcome permits Cut, NotCut {
    }

    /**
     * The rewritten model.
     *
     * @param model       the ONNX bytes to load (external data still referenced relative to the original folder)
     * @param hiddenState the tensor gathered (the LM head's input)
     * @param projection  the LM head node's operator
     */
    public record Cut(byte[] model, String hiddenState, String projection) implements Outcome {
    }

    /** Why the graph was left as it is. */
    public record NotCut(String reason) implements Outcome {
    }

    /**
     * Cuts {@code model} (the bytes of an .onnx file) after the last-token gather of {@code outputName} (null: the
     * graph's first output, as the engine reads by default).
     */
    public static Outcome apply(byte[] model, String outputName) {
        OnnxProto.Model parsed = OnnxProto.Model.parse(model);
        if (parsed.graph() == null) {
            return new NotCut("the file has no graph");
        }
        if (parsed.opset() < MIN_OPSET) {
            return new NotCut("opset " + parsed.opset() + " < " + MIN_OPSET + " (GatherND with batch_dims)");
        }
        Graph graph = Graph.parse(parsed.graph());
        if (graph.producers().containsKey(LAST_HIDDEN)
                || graph.nodes().stream().anyMatch(node -> node.inputs().contains(INDEX_INPUT))) {
            return new NotCut("the graph already uses the name " + INDEX_INPUT + " or " + LAST_HIDDEN);
        }
        ProtoWire.Field output = graph.fields().stream().filter(field -> field.number() == GRAPH_OUTPUT
                && (outputName == null || outputName.equals(valueName(field)))).findFirst().orElse(null);
        if (output == null) {
            return new NotCut("the graph has no output '" + outputName + "'");
        }
        String name = valueName(output);
        List<ProtoWire.Field> dims = dims(output);
        if (dims.size() != 3) {
            return new NotCut("output '" + name + "' is declared with rank " + dims.size()
                    + ", not [batch, sequence, vocab]");
        }
        Node head = graph.producers().get(name);
        while (head != null && "Cast".equals(head.opType()) && head.standard() && !head.inputs().isEmpty()) {
            head = graph.producers().get(head.inputs().get(0));
        }
        if (head == null || !PROJECTIONS.contains(head.opType()) || head.inputs().isEmpty()) {
            return new NotCut("output '" + name + "' is not produced by a matrix product (through Cast nodes) "
                    + "but by " + (head == null ? "a graph input or initializer" : head.opType() + " '" + head.name() + "'"));
        }
        String hidden = head.inputs().get(0);
        return new Cut(rewrite(parsed, graph, head, output, dims), hidden, head.opType());
    }

    private static byte[] rewrite(OnnxProto.Model model, Graph graph, Node head, ProtoWire.Field output,
                                  List<ProtoWire.Field> dims) {
        ProtoWire.Writer newGraph = new ProtoWire.Writer(model.graphBytes() + 4096);
        for (int i = 0; i < graph.fields().size(); i++) {
            ProtoWire.Field field = graph.fields().get(i);
            if (i == head.field()) {
                newGraph.message(GRAPH_NODE, gatherNode(head.inputs().get(0)));
                newGraph.message(GRAPH_NODE, withFirstInput(field, LAST_HIDDEN));
            } else if (field.number() != GRAPH_OUTPUT) {
                newGraph.copy(field);
            }
        }
        newGraph.message(GRAPH_INPUT, valueInfo(INDEX_INPUT, INT64, List.of(dim("batch_size"), dim(1), dim(1))));
        newGraph.message(GRAPH_OUTPUT, valueInfo(valueName(output), elemType(output),
                List.of(copyDim(dims.get(0)), dim(1), copyDim(dims.get(2)))));
        return model.with(newGraph);
    }

    private static ProtoWire.Writer gatherNode(String hidden) {
        return new ProtoWire.Writer()
                .string(NODE_INPUT, hidden)
                .string(NODE_INPUT, INDEX_INPUT)
                .string(NODE_OUTPUT, LAST_HIDDEN)
                .string(NODE_NAME, "rerank4j/last_token_gather")
                .string(NODE_OP_TYPE, "GatherND")
                .message(NODE_ATTRIBUTE, intAttribute("batch_dims", 1));
    }

    private static ProtoWire.Writer withFirstInput(ProtoWire.Field node, String input) {
        ProtoWire.Writer writer = new ProtoWire.Writer();
        boolean replaced = false;
        for (ProtoWire.Field field : node.message()) {
            if (!replaced && field.number() == NODE_INPUT) {
                writer.string(NODE_INPUT, input);
                replaced = true;
            } else {
                writer.copy(field);
            }
        }
        return writer;
    }

    private static ProtoWire.Field tensorType(ProtoWire.Field valueInfo) {
        for (ProtoWire.Field f : valueInfo.message()) {
            if (f.number() == VALUE_TYPE) {
                for (ProtoWire.Field t : f.message()) {
                    if (t.number() == TYPE_TENSOR) {
                        return t;
                    }
                }
            }
        }
        return null;
    }

    private static long elemType(ProtoWire.Field valueInfo) {
        ProtoWire.Field tensor = tensorType(valueInfo);
        if (tensor != null) {
            for (ProtoWire.Field f : tensor.message()) {
                if (f.number() == TENSOR_ELEM_TYPE) {
                    return f.varint();
                }
            }
        }
        return 1; // float
    }

    private static List<ProtoWire.Field> dims(ProtoWire.Field valueInfo) {
        ProtoWire.Field tensor = tensorType(valueInfo);
        List<ProtoWire.Field> dims = new ArrayList<>();
        if (tensor != null) {
            for (ProtoWire.Field f : tensor.message()) {
                if (f.number() == TENSOR_SHAPE) {
                    for (ProtoWire.Field d : f.message()) {
                        if (d.number() == SHAPE_DIM) {
                            dims.add(d);
                        }
                    }
                }
            }
        }
        return dims;
    }

    private static ProtoWire.Writer copyDim(ProtoWire.Field dim) {
        ProtoWire.Writer writer = new ProtoWire.Writer();
        for (ProtoWire.Field f : dim.message()) {
            if (f.number() == DIM_VALUE || f.number() == DIM_PARAM) {
                writer.copy(f);
            }
        }
        return writer;
    }
}
