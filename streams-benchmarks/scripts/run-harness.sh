#!/usr/bin/env bash
# The line-echo load harness (see PERFORMANCE.md). Starts every server in its own JVM (with a JDK >= 21 when one is
# found: virtual threads), drives them alternately with the load client in another JVM, and prints the tables.
# Extra arguments go to the harness, e.g.:
#   scripts/run-harness.sh --idle 10000                 # the 10,000-idle-connection scenario
#   scripts/run-harness.sh --scenarios pingpong-50c-100B --measure 10 --rounds 3
#   scripts/run-harness.sh --kinds netty-raw,streams-async --python none
# The whole output is kept in results/harness-<UTC time>.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/target/streams-benchmarks.jar"
if [ ! -f "$jar" ]; then
  echo "no $jar: build it first from the repository root with" >&2
  echo "  mvn -B package -DskipTests -pl streams-api,streams-netty,streams-benchmarks" >&2
  exit 1
fi
java=$("$here/scripts/find-jdk.sh")
# 10,000 idle connections need more than 10,000 descriptors in the server and in the client.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 32768 ]; then
  ulimit -n 32768 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
python=python3
command -v python3 >/dev/null 2>&1 || python=none
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$here/results"
out="$here/results/harness-$stamp.txt"
echo "# command: scripts/run-harness.sh $*  (ulimit -n $(ulimit -n))" | tee "$out"
"$java" -cp "$jar" dev.streams.bench.harness.Harness --server-java "$java" --client-java "$java" --jar "$jar" \
  --python "$python" --python-script "$here/src/main/python/line_echo_server.py" "$@" 2>&1 | tee -a "$out"
echo "# raw output kept in $out"
