package dev.rerank4j.crossencoder.runtime.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of {@code onnx.proto} that the load-time graph rewrites ({@link LastTokenLogitsCut},
 * {@link AttentionFusion}) read, on {@link ProtoWire}: field numbers, a model split into its graph and opsets, nodes
 * with their attributes, and constant tensors. Everything a rewrite does not touch stays as the original bytes.
 */
final class OnnxProto {

    // ModelProto
    static final int MODEL_GRAPH = 7;
    static final int MODEL_OPSET_IMPORT = 8;
    static final int OPSET_DOMAIN = 1;
    static final int OPSET_VERSION = 2;
    // GraphProto
    static final int GRAPH_NODE = 1;
    static final int GRAPH_NAME = 2;
    static final int GRAPH_INITIALIZER = 5;
    static final int GRAPH_INPUT = 11;
    static final int GRAPH_OUTPUT = 12;
    static final int GRAPH_VALUE_INFO = 13;
    // NodeProto
    static final int NODE_INPUT = 1;
    static final int NODE_OUTPUT = 2;
    static final int NODE_NAME = 3;
    static final int NODE_OP_TYPE = 4;
    static final int NODE_ATTRIBUTE = 5;
    static final int NODE_DOMAIN = 7;
    // AttributeProto
    static final int ATTRIBUTE_NAME = 1;
    static final int ATTRIBUTE_F = 2;
    static final int ATTRIBUTE_I = 3;
    static final int ATTRIBUTE_T = 5;
    static final int ATTRIBUTE_G = 6;
    static final int ATTRIBUTE_INTS = 8;
    static final int ATTRIBUTE_TYPE = 20;
    static final int ATTRIBUTE_TYPE_FLOAT = 1;
    static final int ATTRIBUTE_TYPE_INT = 2;
    static final int ATTRIBUTE_TYPE_GRAPH = 5;
    static final int ATTRIBUTE_TYPE_INTS = 7;
    // ValueInfoProto, TypeProto, TensorShapeProto
    static final int VALUE_NAME = 1;
    static final int VALUE_TYPE = 2;
    static final int TYPE_TENSOR = 1;
    static final int TENSOR_ELEM_TYPE = 1;
    static final int TENSOR_SHAPE = 2;
    static final int SHAPE_DIM = 1;
    static final int DIM_VALUE = 1;
    static final int DIM_PARAM = 2;
    // TensorProto
    static final int TENSOR_DIMS = 1;
    static final int TENSOR_DATA_TYPE = 2;
    static final int TENSOR_FLOAT_DATA = 4;
    static final int TENSOR_INT64_DATA = 7;
    static final int TENSOR_NAME = 8;
    static final int TENSOR_RAW_DATA = 9;
    static final int TENSOR_DATA_LOCATION = 14;
    // TensorProto.DataType
    static final int FLOAT = 1;
    static final int INT64 = 7;

    private OnnxProto() {
    }

    /** A model's top-level fields, its graph and the default domain's opset (-1 when not imported). */
    record Model(List<ProtoWire.Field> fields, ProtoWire.Field graph, long opset, boolean importsMicrosoftDomain) {

        static Model parse(byte[] model) {
            List<ProtoWire.Field> top = ProtoWire.fields(model, 0, model.length);
            ProtoWire.Field graph = null;
            long opset = -1;
            boolean microsoft = false;
            for (ProtoWire.Field field : top) {
                if (field.number() == MODEL_GRAPH && field.wire() == ProtoWire.LENGTH) {
                    graph = field;
                } else if (field.number() == MODEL_OPSET_IMPORT && field.wire() == ProtoWire.LENGTH) {
                    String domain = "";
                    long version = -1;
                    for (ProtoWire.Field f : field.message()) {
                        if (f.number() == OPSET_DOMAIN) {
                            domain = f.string();
                        } else if (f.number() == OPSET_VERSION) {
                            version = f.varint();
                        }
                    }
                    if (domain.isEmpty() || "ai.onnx".equals(domain)) {
                        opset = version;
                    } else if ("com.microsoft".equals(domain)) {
                        microsoft = true;
                    }
                }
            }
            return new Model(top, graph, opset, microsoft);
        }

        /** The graph's size in bytes: what a rewritten copy will need, about. */
        int graphBytes() {
            return graph == null ? 0 : graph.end() - graph.start();
        }

        /** The model with {@code newGraph} in place of its graph, plus {@code extraOpsets}. */
        byte[] with(ProtoWire.Writer newGraph, ProtoWire.Writer... extraOpsets) {
            ProtoWire.Writer model = new ProtoWire.Writer(graphBytes() + 4096);
            for (ProtoWire.Field field : fields) {
                if (field == graph) {
                    model.message(MODEL_GRAPH, newGraph);
                } else {
                    model.copy(field);
                }
            }
            for (ProtoWire.Writer opset : extraOpsets) {
                model.message(MODEL_OPSET_IMPORT, opset);
            }
            return model.toByteArray();
        }
    }

    /** A node: {@code field} is its index among the graph's fields; attributes by name. */
    record Node(int field, ProtoWire.Field bytes, String name, String opType, String domain, List<String> inputs,
                List<String> outputs, Map<String, ProtoWire.Field> attributes) {

        static Node parse(int index, ProtoWire.Field field) {
            String name = "";
            String opType = "";
            String domain = "";
            List<String> inputs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            Map<String, ProtoWire.Field> attributes = new LinkedHashMap<>();
            for (ProtoWire.Field f : field.message()) {
                switch (f.number()) {
                    case NODE_INPUT -> inputs.add(f.string());
                    case NODE_OUTPUT -> outputs.add(f.string());
                    case NODE_NAME -> name = f.string();
                    case NODE_OP_TYPE -> opType = f.string();
                    case NODE_DOMAIN -> domain = f.string();
                    case NODE_ATTRIBUTE -> attributes.put(attributeName(f), f);
                    default -> {
                        // doc strings are copied as they are
                    }
                }
            }
            return new Node(index, field, name, opType, domain, inputs, outputs, attributes);
        }

        boolean standard() {
            return domain.isEmpty() || "ai.onnx".equals(domain);
        }

        boolean is(String op) {
            return standard() && op.equals(opType);
        }

        String input(int i) {
            return i < inputs.size() ? inputs.get(i) : "";
        }

        String output() {
            return outputs.isEmpty() ? "" : outputs.get(0);
        }

        Optional<Long> intAttribute(String attribute) {
            ProtoWire.Field f = attributes.get(attribute);
            if (f == null) {
                return Optional.empty();
            }
            for (ProtoWire.Field part : f.message()) {
                if (part.number() == ATTRIBUTE_I) {
                    return Optional.of(part.varint());
                }
            }
            return Optional.empty();
        }

        /** An {@code ints} attribute (packed or not); empty when absent. */
        List<Long> intsAttribute(String attribute) {
            ProtoWire.Field f = attributes.get(attribute);
            List<Long> values = new ArrayList<>();
            if (f != null) {
                for (ProtoWire.Field part : f.message()) {
                    if (part.number() == ATTRIBUTE_INTS) {
                        values.addAll(part.wire() == ProtoWire.LENGTH ? packedVarints(part) : List.of(part.varint()));
                    }
                }
            }
            return values;
        }

        /** The {@code value} tensor of a {@code Constant} node. */
        Optional<ProtoWire.Field> constantValue() {
            ProtoWire.Field f = attributes.get("value");
            if (f == null) {
                return Optional.empty();
            }
            for (ProtoWire.Field part : f.message()) {
                if (part.number() == ATTRIBUTE_T) {
                    return Optional.of(part);
                }
            }
            return Optional.empty();
        }
    }

    /** A graph's fields with its nodes, who produces and who reads each value, its initializers and inputs. */
    record Graph(List<ProtoWire.Field> fields, List<Node> nodes, Map<String, Node> producers,
                 Map<String, List<Node>> consumers, Map<String, ProtoWire.Field> initializers, List<String> inputs,
                 List<String> outputs) {

        static Graph parse(ProtoWire.Field graph) {
            List<ProtoWire.Field> fields = graph.message();
            List<Node> nodes = new ArrayList<>();
            Map<String, Node> producers = new HashMap<>();
            Map<String, List<Node>> consumers = new HashMap<>();
            Map<String, ProtoWire.Field> initializers = new HashMap<>();
            List<String> inputs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            for (int i = 0; i < fields.size(); i++) {
                ProtoWire.Field field = fields.get(i);
                switch (field.number()) {
                    case GRAPH_NODE -> {
                        Node node = Node.parse(i, field);
                        nodes.add(node);
                        node.outputs().forEach(o -> producers.put(o, node));
                        node.inputs().forEach(in -> consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(node));
                    }
                    case GRAPH_INITIALIZER -> initializers.put(tensorName(field), field);
                    case GRAPH_INPUT -> inputs.add(valueName(field));
                    case GRAPH_OUTPUT -> outputs.add(valueName(field));
                    default -> {
                        // name, doc string, value_info: not needed to match patterns
                    }
                }
            }
            return new Graph(fields, nodes, producers, consumers, initializers, inputs, outputs);
        }

        List<Node> readers(String value) {
            return consumers.getOrDefault(value, List.of());
        }

        /** A constant tensor named {@code value}: an initializer or the output of a {@code Constant} node. */
        Optional<ProtoWire.Field> constant(String value) {
            if (initializers.containsKey(value)) {
                return Optional.of(initializers.get(value));
            }
            Node node = producers.get(value);
            return node != null && node.is("Constant") ? node.constantValue() : Optional.empty();
        }
    }

    static String valueName(ProtoWire.Field valueInfo) {
        return stringField(valueInfo, VALUE_NAME);
    }

    static String tensorName(ProtoWire.Field tensor) {
        return stringField(tensor, TENSOR_NAME);
    }

    private static String attributeName(ProtoWire.Field attribute) {
        return stringField(attribute, ATTRIBUTE_NAME);
    }

    private static String stringField(ProtoWire.Field message, int number) {
        for (ProtoWire.Field f : message.message()) {
            if (f.number() == number && f.wire() == ProtoWire.LENGTH) {
                return f.string();
            }
        }
        return "";
    }

    /** A tensor's data type and dimensions. */
    static long dataType(ProtoWire.Field tensor) {
        for (ProtoWire.Field f : tensor.message()) {
            if (f.number() == TENSOR_DATA_TYPE) {
                return f.varint();
            }
        }
        return 0;
    }

    static List<Long> dims(ProtoWire.Field tensor) {
        List<Long> dims = new ArrayList<>();
        for (ProtoWire.Field f : tensor.message()) {
            if (f.number() == TENSOR_DIMS) {
                dims.addAll(f.wire() == ProtoWire.LENGTH ? packedVarints(f) : List.of(f.varint()));
            }
        }
        return dims;
    }

    /** The values of an inline float32 tensor; empty when it is another type or stored as external data. */
    static Optional<float[]> floats(ProtoWire.Field tensor) {
        if (dataType(tensor) != FLOAT || external(tensor)) {
            return Optional.empty();
        }
        for (ProtoWire.Field f : tensor.message()) {
            if (f.number() == TENSOR_RAW_DATA || (f.number() == TENSOR_FLOAT_DATA && f.wire() == ProtoWire.LENGTH)) {
                ByteBuffer data = ByteBuffer.wrap(f.bytes(), f.payloadStart(), f.end() - f.payloadStart())
                        .order(ByteOrder.LITTLE_ENDIAN);
                float[] values = new float[data.remaining() / Float.BYTES];
                data.asFloatBuffer().get(values);
                return Optional.of(values);
            }
        }
        List<Float> unpacked = new ArrayList<>();
        for (ProtoWire.Field f : tensor.message()) {
            if (f.number() == TENSOR_FLOAT_DATA && f.wire() == ProtoWire.FIXED32) {
                unpacked.add(Float.intBitsToFloat((int) littleEndian(f, 4)));
            }
        }
        float[] values = new float[unpacked.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = unpacked.get(i);
        }
        return Optional.of(values);
    }

    /** The values of an inline int64 tensor; empty when it is another type or stored as external data. */
    static Optional<long[]> longs(ProtoWire.Field tensor) {
        if (dataType(tensor) != INT64 || external(tensor)) {
            return Optional.empty();
        }
        List<Long> values = new ArrayList<>();
        for (ProtoWire.Field f : tensor.message()) {
            if (f.number() == TENSOR_RAW_DATA) {
                ByteBuffer data = ByteBuffer.wrap(f.bytes(), f.payloadStart(), f.end() - f.payloadStart())
                        .order(ByteOrder.LITTLE_ENDIAN);
                while (data.remaining() >= Long.BYTES) {
                    values.add(data.getLong());
                }
            } else if (f.number() == TENSOR_INT64_DATA) {
                values.addAll(f.wire() == ProtoWire.LENGTH ? packedVarints(f) : List.of(f.varint()));
            }
        }
        return Optional.of(values.stream().mapToLong(Long::longValue).toArray());
    }

    private static boolean external(ProtoWire.Field tensor) {
        for (ProtoWire.Field f : tensor.message()) {
            if (f.number() == TENSOR_DATA_LOCATION && f.varint() == 1) {
                return true;
            }
        }
        return false;
    }

    private static long littleEndian(ProtoWire.Field f, int width) {
        long value = 0;
        for (int i = width - 1; i >= 0; i--) {
            value = (value << 8) | (f.bytes()[f.payloadStart() + i] & 0xFF);
        }
        return value;
    }

    private static List<Long> packedVarints(ProtoWire.Field packed) {
        List<Long> values = new ArrayList<>();
        byte[] bytes = packed.bytes();
        int at = packed.payloadStart();
        while (at < packed.end()) {
            long value = 0;
            int shift = 0;
            int b;
            do {
                b = bytes[at++] & 0xFF;
                value |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0 && at < packed.end());
            values.add(value);
        }
        return values;
    }

    /** A value info {@code name: elemType[dims]} (dims: {@link Long} fixed or {@link String} symbolic). */
    static ProtoWire.Writer valueInfo(String name, long elemType, List<ProtoWire.Writer> dims) {
        ProtoWire.Writer tensor = new ProtoWire.Writer().varint(TENSOR_ELEM_TYPE, elemType);
        if (dims != null) {
            ProtoWire.Writer shape = new ProtoWire.Writer();
            dims.forEach(d -> shape.message(SHAPE_DIM, d));
            tensor.message(TENSOR_SHAPE, shape);
        }
        return new ProtoWire.Writer().string(VALUE_NAME, name)
                .message(VALUE_TYPE, new ProtoWire.Writer().message(TYPE_TENSOR, tensor));
    }

    /** A float32 tensor (an initializer), its values as little-endian raw data. */
    static ProtoWire.Writer floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            raw.putFloat(value);
        }
        ProtoWire.Writer tensor = new ProtoWire.Writer();
        for (long dim : dims) {
            tensor.varint(TENSOR_DIMS, dim);
        }
        return tensor.varint(TENSOR_DATA_TYPE, FLOAT).string(TENSOR_NAME, name).bytes(TENSOR_RAW_DATA, raw.array());
    }

    /** An int64 scalar tensor. */
    static ProtoWire.Writer int64Scalar(String name, long value) {
        byte[] raw = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
        return new ProtoWire.Writer().varint(TENSOR_DATA_TYPE, INT64).string(TENSOR_NAME, name)
                .bytes(TENSOR_RAW_DATA, raw);
    }

    /** A dimension: a {@link Number} is a fixed size, a {@link String} a symbolic one. */
    static ProtoWire.Writer dim(Object dim) {
        if (dim instanceof Number value) {
            return new ProtoWire.Writer().varint(DIM_VALUE, value.longValue());
        }
        if (dim instanceof String param) {
            return new ProtoWire.Writer().string(DIM_PARAM, param);
        }
        throw new IllegalArgumentException("dimension " + dim + " is neither a number nor a name");
    }

    static ProtoWire.Writer intsAttribute(String name, long... values) {
        ProtoWire.Writer attribute = new ProtoWire.Writer().string(ATTRIBUTE_NAME, name);
        for (long value : values) {
            attribute.varint(ATTRIBUTE_INTS, value);
        }
        return attribute.varint(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INTS);
    }

    static ProtoWire.Writer intAttribute(String name, long value) {
        return new ProtoWire.Writer().string(ATTRIBUTE_NAME, name).varint(ATTRIBUTE_I, value)
                .varint(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT);
    }

    static ProtoWire.Writer floatAttribute(String name, float value) {
        return new ProtoWire.Writer().string(ATTRIBUTE_NAME, name).fixed32(ATTRIBUTE_F, Float.floatToIntBits(value))
                .varint(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_FLOAT);
    }

    static ProtoWire.Writer graphAttribute(String name, ProtoWire.Writer graph) {
        return new ProtoWire.Writer().string(ATTRIBUTE_NAME, name).message(ATTRIBUTE_G, graph)
                .varint(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_GRAPH);
    }

    static ProtoWire.Writer opset(String domain, long version) {
        return new ProtoWire.Writer().string(OPSET_DOMAIN, domain).varint(OPSET_VERSION, version);
    }
}
