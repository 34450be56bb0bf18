#!/usr/bin/env bash
# sendFile over loopback (see PERFORMANCE.md): raw Netty's DefaultFileRegion, this library's sendFile, its
# read-and-write copy loop, and both under TLS (raw Netty + SslHandler + ChunkedWriteHandler vs sendFile), alternated
# round by round in one JVM. Extra arguments go to the benchmark, e.g.:
#   scripts/run-sendfile.sh --size-mib 1024 --rounds 7
#   scripts/run-sendfile.sh --kinds netty-region,streams-sendFile
# The file (1 GiB of random bytes by default) is made once in the temporary directory (--file PATH to choose).
# The whole output is kept in results/sendfile-<UTC time>.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/target/streams-benchmarks.jar"
if [ ! -f "$jar" ]; then
  echo "no $jar: build it first from the repository root with" >&2
  echo "  mvn -B package -DskipTests -pl streams-api,streams-netty,streams-benchmarks" >&2
  exit 1
fi
java=$("$here/scripts/find-jdk.sh")
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$here/results"
out="$here/results/sendfile-$stamp.txt"
echo "# command: scripts/run-sendfile.sh $*  ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg))" | tee "$out"
"$java" $("$here/scripts/find-jdk.sh" --flags "$java") -Dio.netty.leakDetection.level=disabled -Xmx1g \
  -cp "$jar" dev.streams.bench.harness.SendFileBench "$@" 2>&1 | tee -a "$out"
echo "# raw output kept in $out"
