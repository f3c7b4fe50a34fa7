package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.internal.OnnxProto.Graph;
import dev.rerank4j.crossencoder.runtime.internal.OnnxProto.Model;
import dev.rerank4j.crossencoder.runtime.internal.OnnxProto.Node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A load-time rewrite of an encoder's ONNX graph for ONNX Runtime on a CPU: each self-attention that a PyTorch export
 * spells out operator by operator (projections' bias {@code Add}, head split {@code Reshape}/{@code Transpose},
 * {@code MatMul(Q, Kᵀ)}, scale, padding-mask {@code Add}, {@code Softmax}, {@code MatMul(·, V)}, head merge) gets a
 * second path through ONNX Runtime's {@code com.microsoft.MultiHeadAttention}, which runs its flash-attention kernel
 * (scores tiled in the L2 cache, softmax fused, bias and head transposes done while copying) when it is given no mask.
 *
 * <p>A mask-free kernel is exact only when no row of the batch is padded. Two modes: {@link Mode#UNPADDED_BATCHES}
 * (the cross-encoder, whose default batches never pad) replaces each block by the kernel and drops the mask; the
 * engine then refuses a padded batch. {@link Mode#ANY_BATCH} (ColBERT, whose queries mask their {@code [MASK]}
 * padding; a caller allowing padded batches) makes each block an {@code If}: a batch whose {@code attention_mask} is
 * all ones (its minimum is 1, computed once per run) takes the fused kernel, any other batch the original operators,
 * moved unchanged into the {@code If}'s other branch. Either way scores are those of the original graph (to float
 * rounding). Measured in docs/performance.md.
 *
 * <p>Only attention whose mask term depends on nothing but {@code attention_mask} (and tensor shapes) is rewritten,
 * and callers apply it only to bidirectional encoders: a decoder's causal mask is not a padding mask. Projections
 * feeding the block may be anything (fp32 {@code MatMul}, int8 {@code MatMulInteger} chains), so quantized exports
 * gain the same way. Blocks that do not match are left as they are; {@link NotFused} says why when none matched.
 * Everything else is copied byte for byte, external-data references included.
 */
public final class AttentionFusion {

    static final String PREFIX = "rerank4j/";
    static final String UNPADDED = PREFIX + "unpadded";
    private static final String MASK_MIN = PREFIX + "attention_mask_min";
    private static final String ONE = PREFIX + "one";
    private static final String MASK_INPUT = "attention_mask";
    private static final List<Long> HEADS_FIRST = List.of(0L, 2L, 1L, 3L);
    private static final List<Long> KEYS_TRANSPOSED = List.of(0L, 2L, 3L, 1L);
    private static final List<Long> LAST_TWO_SWAPPED = List.of(0L, 1L, 3L, 2L);

    private AttentionFusion() {
    }

    /** Which batches the rewritten graph serves. */
    public enum Mode {
        /** Load the graph as exported. */
        OFF,
        /** Any batch: an {@code If} per block sends unpadded batches to the fused kernel, padded ones to the original. */
        ANY_BATCH,
        /**
         * Unpadded batches only (the caller batches rows only with rows of their length): the fused kernel replaces
         * each block and the padding mask is dropped, so there is no {@code If} to pay per block and run.
         */
        UNPADDED_BATCHES
    }

    /** What {@link #apply} did. */
    public sealed interface Outcome permits Fused, NotFused {
    }

    /**
     * The rewritten model.
     *
     * @param model      the ONNX bytes to load (external data still referenced relative to the original folder)
     * @param fused      attention blocks given the fused path
     * @param attentions {@code Softmax} nodes in the graph (attention blocks found)
     * @param firstMiss  why the first block that was not fused did not match, or null when all were
     * @param mode       which batches the graph serves
     */
    public record Fused(byte[] model, int fused, int attentions, String firstMiss, Mode mode) implements Outcome {
    }

    /** Why the graph was left as it is. */
    public record NotFused(String reason) implements Outcome {
    }

    /** One matched self-attention: the nodes it replaces, its inputs and its parameters. */
    private record Block(List<Node> nodes, Node merge, List<String> projections, float[] packedBias, long heads,
                         float scale) {
    }

    private static final class Miss extends Exception {
        Miss(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Rewrites {@code model} (the bytes of an .onnx file) for any batch; see the class comment. */
    public static Outcome apply(byte[] model) {
        return apply(model, Mode.ANY_BATCH);
    }

    /** Rewrites {@code model} (the bytes of an .onnx file) for the batches {@code mode} names. */
    public static Outcome apply(byte[] model, Mode mode) {
        if (mode == Mode.OFF) {
            return new NotFused("attention fusion is off");
        }
        Model parsed = Model.parse(model);
        if (parsed.graph() == null) {
            return new NotFused("the file has no graph");
        }
        Graph graph = Graph.parse(parsed.graph());
        if (!graph.inputs().contains(MASK_INPUT)) {
            return new NotFused("the graph has no " + MASK_INPUT + " input");
        }
        if (graph.producers().keySet().stream().anyMatch(name -> name.startsWith(PREFIX))) {
            return new NotFused("the graph already uses names starting with " + PREFIX);
        }
        List<Block> blocks = new ArrayList<>();
        Set<Node> claimed = new HashSet<>();
        int attentions = 0;
        String firstMiss = null;
        for (Node node : graph.nodes()) {
            if (!node.is("Softmax")) {
                continue;
            }
            attentions++;
            try {
                Block block = match(graph, node, parsed.opset());
                if (block.nodes().stream().anyMatch(claimed::contains)) {
                    throw new Miss("shares operators with another attention block");
                }
                claimed.addAll(block.nodes());
                blocks.add(block);
            } catch (Miss miss) {
                firstMiss = firstMiss == null ? "Softmax '" + node.name() + "': " + miss.getMessage() : firstMiss;
            }
        }
        if (blocks.isEmpty()) {
            return new NotFused(attentions == 0 ? "no Softmax in the graph (no attention found)"
                    : "no attention block matched; " + firstMiss);
        }
        byte[] rewritten = mode == Mode.ANY_BATCH ? withIfs(parsed, graph, blocks) : replaced(parsed, graph, blocks);
        return new Fused(rewritten, blocks.size(), attentions, firstMiss, mode);
    }

    private static Block match(Graph graph, Node softmax, long opset) throws Miss {
        long axis = softmax.intAttribute("axis").orElse(opset >= 13 ? -1L : 1L);
        if (axis != -1 && axis != 3) {
            throw new Miss("softmax over axis " + axis + ", not the keys");
        }
        List<Node> nodes = new ArrayList<>(List.of(softmax));
        Scores scores = null;
        Node masked = graph.producers().get(softmax.input(0));
        Miss scoresMiss = null;
        if (masked != null && masked.is("Add")) {
            for (int side = 0; side < 2 && scores == null; side++) {
                try {
                    scores = scores(graph, masked.input(side));
                } catch (Miss miss) {
                    scoresMiss = miss;
                }
                if (scores != null) {
                    requirePaddingMask(graph, masked.input(1 - side));
                    nodes.add(masked);
                }
            }
        } else {
            scores = scores(graph, softmax.input(0));
        }
        if (scores == null) {
            throw scoresMiss != null ? scoresMiss
                    : new Miss("its input is not a scaled MatMul of query and transposed key heads (plus a mask)");
        }
        nodes.addAll(scores.nodes());
        Node context = single(graph, softmax.output(), "MatMul");
        if (!context.input(0).equals(softmax.output())) {
            throw new Miss("the probabilities are not the left operand of the value product");
        }
        Head value = head(graph, context.input(1), HEADS_FIRST);
        Node mergeTranspose = single(graph, context.output(), "Transpose");
        requirePerm(mergeTranspose, HEADS_FIRST);
        Node merge = single(graph, mergeTranspose.output(), "Reshape");
        nodes.add(context);
        nodes.addAll(value.nodes());
        nodes.add(mergeTranspose);
        nodes.add(merge);
        List<Head> heads = List.of(scores.query(), scores.key(), value);
        long headCount = scores.query().heads();
        for (Head head : heads) {
            if (head.heads() != headCount) {
                throw new Miss("query, key and value are split into different head counts");
            }
        }
        List<String> projections = new ArrayList<>();
        List<float[]> biases = new ArrayList<>();
        for (Head head : heads) {
            Node add = graph.producers().get(head.projection());
            Bias bias = add == null || !add.is("Add") || graph.readers(add.output()).size() != 1 ? null : bias(graph, add);
            if (bias == null) {
                projections.add(head.projection());
                biases.add(null);
            } else {
                projections.add(add.input(1 - bias.side()));
                biases.add(bias.values());
                nodes.add(add);
            }
        }
        requireEnclosed(graph, nodes, merge);
        return new Block(List.copyOf(new java.util.LinkedHashSet<>(nodes)), merge, projections,
                packedBias(biases, headCount), headCount, scores.scale());
    }

    /** {@code MatMul(Qh, Khᵀ)} scaled by a constant: the query and key heads, the scale and the nodes on the way. */
    private record Scores(Head query, Head key, float scale, List<Node> nodes) {
    }

    /** A head split {@code Transpose(Reshape(projection))}: its projection, head count and the split's nodes. */
    private record Head(String projection, long heads, List<Node> nodes) {
    }

    private static Scores scores(Graph graph, String value) throws Miss {
        List<Node> nodes = new ArrayList<>();
        float scale = 1f;
        Node node = graph.producers().get(value);
        if (node != null && (node.is("Div") || node.is("Mul"))) {
            // Div(scores, c), Mul(scores, c) or Mul(c, scores)
            int constantSide = scalar(graph, node.input(1)).isPresent() ? 1
                    : node.is("Mul") && scalar(graph, node.input(0)).isPresent() ? 0 : -1;
            float constant = constantSide < 0 ? 0f : scalar(graph, node.input(constantSide)).get();
            if (constant == 0f) {
                return null;
            }
            scale = node.is("Div") ? 1f / constant : constant;
            nodes.add(node);
            node = graph.producers().get(node.input(1 - constantSide));
        }
        if (node == null || !node.is("MatMul")) {
            return null;
        }
        nodes.add(node);
        ScaledInput query = scaledInput(graph, node.input(0));
        ScaledInput key = scaledInput(graph, node.input(1));
        nodes.addAll(query.nodes());
        nodes.addAll(key.nodes());
        Head q = head(graph, query.value(), HEADS_FIRST);
        Head k = keyHead(graph, key.value());
        nodes.addAll(q.nodes());
        nodes.addAll(k.nodes());
        return new Scores(q, k, scale * query.scale() * key.scale(), nodes);
    }

    /** An operand, possibly multiplied by a constant first (PyTorch's SDPA export scales Q and K by √scale each). */
    private record ScaledInput(String value, float scale, List<Node> nodes) {
    }

    private static ScaledInput scaledInput(Graph graph, String value) {
        Node node = graph.producers().get(value);
        if (node != null && node.is("Mul") && graph.readers(node.output()).size() == 1) {
            for (int side = 0; side < 2; side++) {
                Optional<Float> constant = scalar(graph, node.input(side));
                if (constant.isPresent()) {
                    return new ScaledInput(node.input(1 - side), constant.get(), List.of(node));
                }
            }
        }
        return new ScaledInput(value, 1f, List.of());
    }

    private static Head keyHead(Graph graph, String value) throws Miss {
        Node transpose = graph.producers().get(value);
        if (transpose == null || !transpose.is("Transpose")) {
            throw new Miss("the key operand is not a Transpose");
        }
        List<Long> perm = transpose.intsAttribute("perm");
        if (perm.equals(KEYS_TRANSPOSED)) {
            return head(graph, value, KEYS_TRANSPOSED);
        }
        if (perm.equals(LAST_TWO_SWAPPED) && graph.readers(value).size() == 1) {
            Head head = head(graph, transpose.input(0), HEADS_FIRST);
            List<Node> nodes = new ArrayList<>(head.nodes());
            nodes.add(transpose);
            return new Head(head.projection(), head.heads(), nodes);
        }
        throw new Miss("the key is transposed with perm " + perm);
    }

    private static Head head(Graph graph, String value, List<Long> perm) throws Miss {
        Node transpose = graph.producers().get(value);
        if (transpose == null || !transpose.is("Transpose")) {
            throw new Miss("a head operand is not a Transpose");
        }
        requirePerm(transpose, perm);
        Node reshape = graph.producers().get(transpose.input(0));
        if (reshape == null || !reshape.is("Reshape")) {
            throw new Miss("a head Transpose does not read a Reshape");
        }
        return new Head(reshape.input(0), headCount(graph, reshape.input(1)), List.of(transpose, reshape));
    }

    /** The head count of a {@code [batch, sequence, heads, head_size]} shape: a constant, or a Concat of parts. */
    private static long headCount(Graph graph, String shape) throws Miss {
        Optional<long[]> constant = graph.constant(shape).flatMap(OnnxProto::longs);
        if (constant.isPresent() && constant.get().length == 4 && constant.get()[2] > 0) {
            return constant.get()[2];
        }
        Node concat = graph.producers().get(shape);
        if (concat != null && concat.is("Concat") && concat.inputs().size() == 4) {
            Optional<long[]> part = graph.constant(concat.input(2)).flatMap(OnnxProto::longs);
            if (part.isPresent() && part.get().length == 1 && part.get()[0] > 0) {
                return part.get()[0];
            }
        }
        throw new Miss("the head split's shape does not give a constant head count");
    }

    /** A padding mask depends on the values of {@code attention_mask} only (other inputs at most through Shape). */
    private static void requirePaddingMask(Graph graph, String mask) throws Miss {
        Deque<String> pending = new ArrayDeque<>(List.of(mask));
        Set<String> seen = new HashSet<>();
        boolean readsMask = false;
        while (!pending.isEmpty()) {
            String value = pending.pop();
            if (!seen.add(value) || graph.initializers().containsKey(value) || value.isEmpty()) {
                continue;
            }
            if (graph.inputs().contains(value)) {
                if (!value.equals(MASK_INPUT)) {
                    throw new Miss("the mask term reads input " + value);
                }
                readsMask = true;
                continue;
            }
            Node node = graph.producers().get(value);
            if (node == null) {
                throw new Miss("the mask term reads " + value + ", which nothing produces");
            }
            if (!node.is("Shape") && !node.is("Size")) {
                pending.addAll(node.inputs());
            }
        }
        if (!readsMask) {
            throw new Miss("the term added to the scores does not read " + MASK_INPUT);
        }
    }

    /** Every value the block's nodes produce is read only inside the block (but the merged heads) and not a graph output. */
    private static void requireEnclosed(Graph graph, List<Node> nodes, Node merge) throws Miss {
        Set<Node> inside = new HashSet<>(nodes);
        for (Node node : nodes) {
            if (node == merge) {
                continue;
            }
            for (String output : node.outputs()) {
                if (graph.outputs().contains(output)
                        || graph.readers(output).stream().anyMatch(reader -> !inside.contains(reader))) {
                    throw new Miss("'" + output + "' is also read outside the attention (by " + graph.readers(output)
                            .stream().filter(reader -> !inside.contains(reader)).map(Node::name).toList() + ")");
                }
            }
        }
    }

    private static void requirePerm(Node transpose, List<Long> perm) throws Miss {
        if (!transpose.intsAttribute("perm").equals(perm)) {
            throw new Miss("Transpose '" + transpose.name() + "' has perm " + transpose.intsAttribute("perm")
                    + ", expected " + perm);
        }
    }

    private static Node single(Graph graph, String value, String op) throws Miss {
        List<Node> readers = graph.readers(value);
        if (readers.size() != 1 || !readers.get(0).is(op) || graph.outputs().contains(value)) {
            throw new Miss("'" + value + "' is not read by exactly one " + op);
        }
        return readers.get(0);
    }

    private static Optional<Float> scalar(Graph graph, String value) {
        return graph.constant(value).flatMap(OnnxProto::floats).filter(v -> v.length == 1).map(v -> v[0]);
    }

    /** A bias: which input of {@code Add(projection, bias)} it is, and its values. */
    private record Bias(int side, float[] values) {
    }

    /** The bias of {@code Add(projection, bias)} (either order) when it is a 1-D float constant, else null. */
    private static Bias bias(Graph graph, Node add) {
        for (int side = 0; side < 2; side++) {
            Optional<ProtoWire.Field> tensor = graph.constant(add.input(side));
            if (tensor.isPresent() && OnnxProto.dims(tensor.get()).size() == 1) {
                Optional<float[]> values = OnnxProto.floats(tensor.get());
                if (values.isPresent()) {
                    return new Bias(side, values.get());
                }
            }
        }
        return null;
    }

    /** Q, K and V biases in one {@code [3 * hidden]} vector (zeros where a projection has none); null if none has. */
    private static float[] packedBias(List<float[]> biases, long heads) throws Miss {
        int hidden = biases.stream().filter(b -> b != null).mapToInt(b -> b.length).max().orElse(-1);
        if (hidden < 0) {
            return null;
        }
        if (hidden % heads != 0 || biases.stream().anyMatch(b -> b != null && b.length != hidden)) {
            throw new Miss("query, key and value biases of different sizes or not divisible into " + heads + " heads");
        }
        float[] packed = new float[3 * hidden];
        for (int i = 0; i < 3; i++) {
            if (biases.get(i) != null) {
                System.arraycopy(biases.get(i), 0, packed, i * hidden, hidden);
            }
        }
        return packed;
    }

    /** Each block's index, by the graph field of its head merge (where its replacement is written). */
    private static Map<Integer, Integer> byMergeField(List<Block> blocks) {
        Map<Integer, Integer> byMerge = new HashMap<>();
        for (int index = 0; index < blocks.size(); index++) {
            byMerge.put(blocks.get(index).merge().field(), index);
        }
        return byMerge;
    }

    /** Each block behind an {@code If(unpadded)}: the fused kernel, or the block's original nodes. */
    private static byte[] withIfs(Model model, Graph graph, List<Block> blocks) {
        Map<Integer, Integer> byMerge = byMergeField(blocks);
        Set<Integer> moved = new HashSet<>();
        Set<String> movedValues = new HashSet<>();
        for (Block block : blocks) {
            for (Node node : block.nodes()) {
                moved.add(node.field());
                if (node != block.merge()) {
                    movedValues.addAll(node.outputs());
                }
            }
        }
        ProtoWire.Writer out = new ProtoWire.Writer(model.graphBytes() + 4096);
        boolean conditionWritten = false;
        for (int i = 0; i < graph.fields().size(); i++) {
            ProtoWire.Field field = graph.fields().get(i);
            if (field.number() == OnnxProto.GRAPH_NODE && !conditionWritten) {
                writeCondition(out);
                conditionWritten = true;
            }
            if (byMerge.containsKey(i)) {
                out.message(OnnxProto.GRAPH_NODE, ifNode(blocks.get(byMerge.get(i)), byMerge.get(i)));
            } else if (!moved.contains(i) && !describes(field, movedValues)) {
                out.copy(field);
            }
        }
        out.message(OnnxProto.GRAPH_INITIALIZER, OnnxProto.int64Scalar(ONE, 1));
        writeBiases(out, blocks);
        return model.importsMicrosoftDomain() ? model.with(out) : model.with(out, OnnxProto.opset("com.microsoft", 1));
    }

    /**
     * Each block replaced by the fused kernel, its mask dropped; then the nodes nothing reads any more (the mask's
     * and the head splits' shape computations) are dropped too.
     */
    private static byte[] replaced(Model model, Graph graph, List<Block> blocks) {
        Map<Integer, Integer> byMerge = byMergeField(blocks);
        Set<Integer> removed = new HashSet<>();
        Set<String> fusedReads = new HashSet<>();
        for (Block block : blocks) {
            block.nodes().forEach(node -> removed.add(node.field()));
            fusedReads.addAll(block.projections());
        }
        // drop nodes nothing reads, until none is left; "read" ends as what the kept graph reads
        Set<String> read = new HashSet<>();
        boolean changed = true;
        while (changed) {
            read = new HashSet<>(fusedReads);
            read.addAll(graph.outputs());
            Set<String> reading = read;
            graph.nodes().stream().filter(n -> !removed.contains(n.field())).forEach(n -> reading.addAll(n.inputs()));
            changed = false;
            for (Node node : graph.nodes()) {
                if (!removed.contains(node.field()) && node.outputs().stream().noneMatch(read::contains)) {
                    removed.add(node.field());
                    changed = true;
                }
            }
        }
        Set<String> removedValues = new HashSet<>();
        graph.nodes().stream().filter(n -> removed.contains(n.field())).forEach(n -> removedValues.addAll(n.outputs()));
        blocks.forEach(block -> removedValues.remove(block.merge().output()));
        // initializers only the dropped nodes read (the original biases, the mask's constants) go too: ONNX Runtime
        // would warn about each one
        Set<String> stillRead = read;
        graph.initializers().keySet().stream()
                .filter(name -> !stillRead.contains(name) && !graph.inputs().contains(name))
                .forEach(removedValues::add);
        ProtoWire.Writer out = new ProtoWire.Writer(model.graphBytes() + 4096);
        for (int i = 0; i < graph.fields().size(); i++) {
            ProtoWire.Field field = graph.fields().get(i);
            if (byMerge.containsKey(i)) {
                int index = byMerge.get(i);
                Block block = blocks.get(index);
                out.message(OnnxProto.GRAPH_NODE, fusedNode(block, index, block.merge().output(),
                        PREFIX + "attention_" + index));
            } else if (!removed.contains(i) && !describes(field, removedValues) && !(field.number()
                    == OnnxProto.GRAPH_INITIALIZER && removedValues.contains(OnnxProto.tensorName(field)))) {
                out.copy(field);
            }
        }
        writeBiases(out, blocks);
        return model.importsMicrosoftDomain() ? model.with(out) : model.with(out, OnnxProto.opset("com.microsoft", 1));
    }

    /** True for a value_info entry about one of {@code values}. */
    private static boolean describes(ProtoWire.Field field, Set<String> values) {
        return field.number() == OnnxProto.GRAPH_VALUE_INFO && values.contains(OnnxProto.valueName(field));
    }

    private static void writeBiases(ProtoWire.Writer graph, List<Block> blocks) {
        for (int index = 0; index < blocks.size(); index++) {
            if (blocks.get(index).packedBias() != null) {
                float[] bias = blocks.get(index).packedBias();
                graph.message(OnnxProto.GRAPH_INITIALIZER, OnnxProto.floatTensor(biasName(index), new long[] {bias.length},
                        bias));
            }
        }
    }

    /** {@code unpadded = ReduceMin(attention_mask) == 1}, once per run (the engine feeds int64 masks). */
    private static void writeCondition(ProtoWire.Writer graph) {
        graph.message(OnnxProto.GRAPH_NODE, new ProtoWire.Writer()
                .string(OnnxProto.NODE_INPUT, MASK_INPUT).string(OnnxProto.NODE_OUTPUT, MASK_MIN)
                .string(OnnxProto.NODE_NAME, PREFIX + "mask_min").string(OnnxProto.NODE_OP_TYPE, "ReduceMin")
                .message(OnnxProto.NODE_ATTRIBUTE, OnnxProto.intAttribute("keepdims", 0)));
        graph.message(OnnxProto.GRAPH_NODE, new ProtoWire.Writer()
                .string(OnnxProto.NODE_INPUT, MASK_MIN).string(OnnxProto.NODE_INPUT, ONE)
                .string(OnnxProto.NODE_OUTPUT, UNPADDED).string(OnnxProto.NODE_NAME, PREFIX + "unpadded")
                .string(OnnxProto.NODE_OP_TYPE, "Equal"));
    }

    /** {@code If(unpadded)}: then the fused kernel, else the block's original nodes; output: the merged heads. */
    private static ProtoWire.Writer ifNode(Block block, int index) {
        String merged = block.merge().output();
        String name = PREFIX + "attention_" + index;
        String fusedOutput = merged + "/" + name + "/fused";
        String maskedOutput = merged + "/" + name + "/masked";
        ProtoWire.Writer fused = new ProtoWire.Writer()
                .message(OnnxProto.GRAPH_NODE, fusedNode(block, index, fusedOutput, name + "/MultiHeadAttention"))
                .string(OnnxProto.GRAPH_NAME, name + "/fused")
                .message(OnnxProto.GRAPH_OUTPUT, OnnxProto.valueInfo(fusedOutput, OnnxProto.FLOAT, null));
        ProtoWire.Writer original = new ProtoWire.Writer();
        block.nodes().stream().sorted((a, b) -> Integer.compare(a.field(), b.field())).forEach(node -> {
            if (node == block.merge()) {
                original.message(OnnxProto.GRAPH_NODE, withOutput(node, maskedOutput));
            } else {
                original.copy(node.bytes());
            }
        });
        original.string(OnnxProto.GRAPH_NAME, name + "/masked")
                .message(OnnxProto.GRAPH_OUTPUT, OnnxProto.valueInfo(maskedOutput, OnnxProto.FLOAT, null));
        return new ProtoWire.Writer()
                .string(OnnxProto.NODE_INPUT, UNPADDED)
                .string(OnnxProto.NODE_OUTPUT, merged)
                .string(OnnxProto.NODE_NAME, name)
                .string(OnnxProto.NODE_OP_TYPE, "If")
                .message(OnnxProto.NODE_ATTRIBUTE, OnnxProto.graphAttribute("then_branch", fused))
                .message(OnnxProto.NODE_ATTRIBUTE, OnnxProto.graphAttribute("else_branch", original));
    }

    /** {@code com.microsoft.MultiHeadAttention(q, k, v, packed bias)} without a mask: the flash-attention path. */
    private static ProtoWire.Writer fusedNode(Block block, int index, String output, String name) {
        ProtoWire.Writer node = new ProtoWire.Writer();
        block.projections().forEach(p -> node.string(OnnxProto.NODE_INPUT, p));
        if (block.packedBias() != null) {
            node.string(OnnxProto.NODE_INPUT, biasName(index));
        }
        return node.string(OnnxProto.NODE_OUTPUT, output)
                .string(OnnxProto.NODE_NAME, name)
                .string(OnnxProto.NODE_OP_TYPE, "MultiHeadAttention")
                .message(OnnxProto.NODE_ATTRIBUTE, OnnxProto.intAttribute("num_heads", block.heads()))
                .message(OnnxProto.NODE_ATTRIBUTE, OnnxProto.floatAttribute("scale", block.scale()))
                .string(OnnxProto.NODE_DOMAIN, "com.microsoft");
    }

    private static ProtoWire.Writer withOutput(Node node, String output) {
        ProtoWire.Writer writer = new ProtoWire.Writer();
        for (ProtoWire.Field field : node.bytes().message()) {
            if (field.number() == OnnxProto.NODE_OUTPUT) {
                writer.string(OnnxProto.NODE_OUTPUT, output);
            } else {
                writer.copy(field);
            }
        }
        return writer;
    }

    private static String biasName(int index) {
        return PREFIX + "attention_" + index + "/qkv_bias";
    }
}
