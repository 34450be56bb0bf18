#!/usr/bin/env bash
# System calls and context switches per echo on the server side, counted by `perf stat` (Linux perf, and the right to
# read syscall tracepoints: root or kernel.perf_event_paranoid <= 1). One server JVM per kind, warmed up, then one
# measured trial of the load client. Usage:
#   scripts/run-syscalls.sh CONNS SIZE DEPTH [KIND ...]     e.g. scripts/run-syscalls.sh 1 100 1
# Kinds default to netty-raw streams-async streams-blocking streams-blocking-vt jdk-vt. Output: results/syscalls-<UTC time>.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/target/streams-benchmarks.jar"
[ -f "$jar" ] || { echo "build first: mvn -B package -DskipTests -pl streams-api,streams-netty,streams-benchmarks" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 1; }
[ $# -ge 3 ] || { echo "usage: $0 CONNS SIZE DEPTH [KIND ...]" >&2; exit 2; }
conns=$1 size=$2 depth=$3
shift 3
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(netty-raw streams-async streams-blocking streams-blocking-vt jdk-vt)
java=$("$here/scripts/find-jdk.sh")
read -r -a flags <<< "$("$here/scripts/find-jdk.sh" --flags "$java")"
events=context-switches
for call in read write recvfrom sendto epoll_wait epoll_pwait epoll_pwait2 epoll_ctl futex; do
  events="$events,syscalls:sys_enter_$call"
done
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$here/results"
out="$here/results/syscalls-$stamp.txt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# $("$java" -version 2>&1 | head -1); $conns connection(s), $size-byte lines, $depth in flight" | tee "$out"
client() { # measure-seconds warm-up-seconds
  "$java" "${flags[@]}" -Xmx1g -Dio.netty.leakDetection.level=disabled -cp "$jar" dev.streams.bench.harness.LoadClient \
    --target "$kind=$port" --conns "$conns" --size "$size" --depth "$depth" --warmup "$2" --measure "$1" --rounds 1 \
    2>/dev/null | grep TRIAL
}
for kind in "${kinds[@]}"; do
  mkfifo "$work/in"
  "$java" "${flags[@]}" -Xmx2g -Dio.netty.leakDetection.level=disabled -cp "$jar" dev.streams.bench.harness.EchoServer "$kind" \
    < "$work/in" > "$work/server" 2>&1 &
  server=$!
  exec 3> "$work/in" # held open: the server quits when it reads QUIT
  for _ in $(seq 100); do grep -q '^PORT' "$work/server" && break; sleep 0.1; done
  port=$(awk '/^PORT/ {print $2; exit}' "$work/server")
  client 2 3 > /dev/null
  perf stat -x, -e "$events" -p "$server" -o "$work/perf" &
  perf=$!
  trial=$(client 5 0)
  kill -INT "$perf"; wait "$perf" || true
  echo QUIT >&3; exec 3>&-
  wait "$server" || true
  rm -f "$work/in"
  echoes=$(echo "$trial" | grep -o 'echoes=[0-9]*' | cut -d= -f2)
  { echo "## $kind: $trial"
    awk -F, -v e="$echoes" '$1 ~ /^[0-9.]+$/ && $1 > 0 { sub(/^syscalls:sys_enter_/, "", $3);
        printf "  %-18s %7.3f per echo\n", $3, $1 / e }' "$work/perf"; } | tee -a "$out"
done
echo "# kept in $out"
