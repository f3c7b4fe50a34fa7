#!/usr/bin/env bash
# The fusion experiments of docs/performance.md: ONNX Runtime's EXTENDED-optimised graph of the stand-in
# cross-encoder rewritten with SkipLayerNormalization, with Attention, and with both; bench-ce runs the original and
# the three rewrites in one process, scorers alternating (rerank4j-onnx@FILE), and reports each against the original.
# Needs eval/target/rerank4j-eval.jar (mvn -B -q -DskipTests package) and Debian's python3-onnx (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/../../.."
MODEL=${MODEL:-../shared/models/minilm-l6-ce}
WORK=${WORK:-target/fusion}
JAR=eval/target/rerank4j-eval.jar
SCRIPTS=$PWD/eval/scripts/fusion
rm -rf "$WORK" && mkdir -p "$WORK/model/onnx"
cp "$MODEL"/*.json "$WORK/model/" && cp "$MODEL"/onnx/model.onnx "$MODEL"/onnx/*.onnx_data "$WORK/model/onnx/"
cp "$MODEL"/onnx/*.onnx_data "$WORK/"   # the optimised graph keeps the external data references
java -cp "$JAR" "$SCRIPTS/OptimizedGraph.java" "$MODEL/onnx/model.onnx" "$WORK/extended.onnx" EXTENDED_OPT
(cd "$WORK" && /usr/bin/python3 "$SCRIPTS/skip_layer_norm.py" extended.onnx model/onnx/model_skipln.onnx \
  && /usr/bin/python3 "$SCRIPTS/attention.py" extended.onnx model/onnx/model_attn.onnx model/config.json \
  && /usr/bin/python3 "$SCRIPTS/skip_layer_norm.py" model/onnx/model_attn.onnx model/onnx/model_attn_skipln.onnx)
java -Dai.djl.offline=true -jar "$JAR" bench-ce --data ../shared/data/scifact --model "$WORK/model" \
     --candidates ../shared/models/candidates/scifact-test.tsv --max-length 512 --queries 8 --repeats 2 \
     --scorers rerank4j-onnx,rerank4j-onnx@onnx/model_skipln.onnx,rerank4j-onnx@onnx/model_attn.onnx,rerank4j-onnx@onnx/model_attn_skipln.onnx \
     --out "$WORK/bench"
