#!/usr/bin/env bash
# Measures the runtime closure (jars and MB on the classpath, the core jar included) of an application that depends
# on dev.rerank4j:langchain4j-crossencoder (examples/consumer), for each feature set:
#   ONNX only | + PyTorch (engine, JNI, CPU natives for linux-x86_64) | + dense index (langchain4j, all-MiniLM)
#   | + dense index + Qdrant | everything.
# Usage (from anywhere in the checkout): eval/scripts/runtime-closure.sh [extra mvn options, e.g. -o]
# Prints a Markdown table; the jar lists go to examples/consumer/target/closure-<variant>.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."

variants=("onnx-only:" "pytorch:pytorch" "dense-index:dense" "dense-index+qdrant:dense,qdrant" "all:pytorch,dense,qdrant")
describe() {
  case "$1" in
    onnx-only) echo "ONNX Runtime scoring only (the core as published)" ;;
    pytorch) echo "+ PyTorch engine, JNI and linux-x86_64 CPU natives" ;;
    dense-index) echo "+ DenseIndex defaults (langchain4j, all-MiniLM-L6-v2)" ;;
    dense-index+qdrant) echo "+ DenseIndex defaults and Qdrant (langchain4j-qdrant)" ;;
    all) echo "all of the above" ;;
  esac
}

echo "| runtime closure | jars | MB |"
echo "| --- | --- | --- |"
for entry in "${variants[@]}"; do
  name="${entry%%:*}"
  profiles="${entry#*:}"
  list="examples/consumer/target/closure-$name.txt"
  # package: the core resolves to its jar from this reactor (never from ~/.m2)
  log="examples/consumer/target/closure-$name.log"
  mkdir -p examples/consumer/target
  if ! mvn -B -q -Dstyle.color=never "$@" -pl examples/consumer -am -DskipTests ${profiles:+-P$profiles} package \
      dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="target/closure-$name.txt" >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
  tr ':' '\n' < "$list" | sed '/^$/d' > "$list.lines"
  mv "$list.lines" "$list"
  jars=$(wc -l < "$list")
  bytes=$(xargs -d '\n' stat -c %s < "$list" | awk '{s += $1} END {print s}')
  printf '| %s | %d | %.0f |\n' "$(describe "$name")" "$jars" "$(echo "$bytes / 1000000" | bc -l)"
done
