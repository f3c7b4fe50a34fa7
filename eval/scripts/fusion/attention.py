# Experiment: fuse each BERT self-attention of ONNX Runtime's EXTENDED-optimised graph into com.microsoft.Attention
# (packed QKV weights, raw 2D mask), then drop dead nodes; measures what an Attention-fused export would buy.
# Usage: attention.py extended.onnx out.onnx config.json. It matches this export's node names
# (/bert/layers.N/{query,key,value}/MatMul ...), so it is an experiment for the stand-in, not a general fusion.
import json, sys, re, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
m = onnx.load(sys.argv[1]); g = m.graph
heads = json.load(open(sys.argv[3]))["num_attention_heads"]
inits = {i.name: i for i in g.initializer}
byname = {n.name: n for n in g.node}
layers = sorted({int(x) for x in re.findall(r"/bert/layers\.(\d+)/", " ".join(byname))})
new_nodes, drop = [], set()
cast = helper.make_node("Cast", ["attention_mask"], ["mask_int32"], name="mask_cast", to=TensorProto.INT32)
new_nodes.append(cast)
for i in layers:
    p = f"/bert/layers.{i}/"
    q, k, v = (byname[p + f"{t}/MatMul"] for t in ("query", "key", "value"))
    qa, ka, va = (byname[p + f"{t}/Add"] for t in ("query", "key", "value"))
    w = np.concatenate([numpy_helper.to_array(inits[x.input[1]]) for x in (q, k, v)], axis=1)
    b = np.concatenate([numpy_helper.to_array(inits[[j for j in x.input if j in inits][0]]) for x in (qa, ka, va)])
    g.initializer.extend([numpy_helper.from_array(w, f"qkv_w_{i}"), numpy_helper.from_array(b, f"qkv_b_{i}")])
    out = byname[p + "Reshape_3"].output[0]
    new_nodes.append(helper.make_node("Attention", [q.input[0], f"qkv_w_{i}", f"qkv_b_{i}", "mask_int32"], [out],
                                      name=p + "Attention", domain="com.microsoft", num_heads=heads))
    for nm in ("query/MatMul", "key/MatMul", "value/MatMul", "query/Add", "key/Add", "value/Add", "Reshape",
               "Reshape_1", "Reshape_2", "Transpose", "Transpose_1", "Transpose_2", "MatMul/MatMulScaleFusion/",
               "Add", "Softmax", "MatMul_1", "Transpose_3", "Reshape_3"):
        drop.add(p + nm)
kept = [n for n in g.node if n.name not in drop]
nodes = new_nodes[:1] + kept
# place each Attention right after the node producing its input
final = []
att = {n.input[0]: [] for n in new_nodes[1:]}
for n in new_nodes[1:]:
    att[n.input[0]].append(n)
for n in nodes:
    final.append(n)
    for o in n.output:
        final.extend(att.pop(o, []))
assert not att, att.keys()
# dead-node elimination
needed = {o.name for o in g.output}
live = []
for n in reversed(final):
    if any(o in needed for o in n.output):
        live.append(n); needed.update(n.input)
live.reverse()
del g.node[:]; g.node.extend(live)
used = {i for n in live for i in n.input}
keep_init = [t for t in g.initializer if t.name in used]
del g.initializer[:]; g.initializer.extend(keep_init)
if not any(o.domain == "com.microsoft" for o in m.opset_import):
    m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
onnx.save(m, sys.argv[2])
print("layers", len(layers), "nodes", len(live))
