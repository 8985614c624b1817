#!/usr/bin/env bash
# Layer store benchmarks (not part of mvn verify). Needs root for the overlay diff benchmark.
#   layerstore/bench/run.sh [diff|walkdiff|gzip|unpack|all]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here/.."
mvn -q -B -o -pl layerstore compile
cp="$here/target/bench-classpath.txt"
mvn -q -B -o -pl layerstore org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$cp" -Dmdep.includeScope=runtime >/dev/null
out="$here/target/bench-classes"
mkdir -p "$out"
javac -d "$out" -cp "$here/target/classes:$(cat "$cp")" \
  $(find "$here/src/bench/java" -name '*.java')
exec java -cp "$out:$here/target/classes:$(cat "$cp")" dev.jbuild.layerstore.bench.LayerBench "${1:-all}"
