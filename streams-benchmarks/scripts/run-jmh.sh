#!/usr/bin/env bash
# Runs the JMH micro-benchmarks with short settings and -prof gc; extra arguments go to JMH (e.g. a regex:
# scripts/run-jmh.sh ReadLine). JMH_WARMUPS / JMH_ITERATIONS (default 2 / 3, one second each) set the iteration
# counts. Output: results/jmh-<date>.txt (human) and results/jmh-<date>.json.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/target/streams-benchmarks.jar"
[ -f "$jar" ] || { echo "build first: mvn -B package -DskipTests -pl streams-api,streams-netty,streams-benchmarks" >&2; exit 1; }
java=$("$here/scripts/find-jdk.sh")
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$here/results"
echo "JDK: $("$java" -version 2>&1 | head -1)  ($java)" | tee "$here/results/jmh-$stamp.txt"
"$java" $("$here/scripts/find-jdk.sh" --flags "$java") -jar "$jar" -wi "${JMH_WARMUPS:-2}" -i "${JMH_ITERATIONS:-3}" -f 1 -w 1s -r 1s -prof gc -rf json -rff "$here/results/jmh-$stamp.json" "$@" \
  2>&1 | tee -a "$here/results/jmh-$stamp.txt"
