# Experiment: fuse bias Add + residual Add + LayerNormalization into com.microsoft SkipLayerNormalization
# on ONNX Runtime's EXTENDED-optimised graph, to measure what the fusion would buy.
import sys, onnx
from onnx import helper
m = onnx.load(sys.argv[1])
g = m.graph
inits = {i.name for i in g.initializer}
prod = {o: n for n in g.node for o in n.output}
cons = {}
for n in g.node:
    for i in n.input:
        cons.setdefault(i, []).append(n)
remove, add = set(), []
fused = 0
for ln in list(g.node):
    if ln.op_type != "LayerNormalization":
        continue
    x = ln.input[0]
    add2 = prod.get(x)
    if add2 is None or add2.op_type != "Add" or len(cons.get(x, [])) != 1:
        continue
    bias_add, residual = None, None
    for a, b in ((0, 1), (1, 0)):
        p = prod.get(add2.input[a])
        if p is not None and p.op_type == "Add" and len(cons.get(add2.input[a], [])) == 1 \
                and any(i in inits for i in p.input):
            bias_add, residual = p, add2.input[b]
            break
    if bias_add is None:
        continue
    bias = [i for i in bias_add.input if i in inits][0]
    data = [i for i in bias_add.input if i not in inits][0]
    eps = [a.f for a in ln.attribute if a.name == "epsilon"]
    node = helper.make_node("SkipLayerNormalization", [data, residual, ln.input[1], ln.input[2], bias],
                            [ln.output[0]], name=ln.name + "_skip", domain="com.microsoft",
                            epsilon=eps[0] if eps else 1e-12)
    remove.update([id(ln), id(add2), id(bias_add)])
    add.append((ln, node))
    fused += 1
new_nodes = []
repl = {id(ln): node for ln, node in add}
for n in g.node:
    if id(n) in repl:
        new_nodes.append(repl[id(n)])
    elif id(n) not in remove:
        new_nodes.append(n)
del g.node[:]
g.node.extend(new_nodes)
if not any(o.domain == "com.microsoft" for o in m.opset_import):
    m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
onnx.save(m, sys.argv[2])
print("fused", fused)
