#!/usr/bin/env bash
# Prints the java launcher to run benchmark JVMs with: the newest JDK >= 21 under /usr/lib/jvm (virtual threads),
# preferring Temurin 25; else `java` from the PATH. Override with STREAMS_BENCH_JAVA=/path/to/bin/java.
# This is the only place that knows where JDKs live. With --flags it prints instead the flags a benchmark JVM of that
# java needs: --add-opens java.base/java.lang=ALL-UNNAMED on 21+ (blocking handlers carried by their event loop,
# BlockingScheduler.EVENT_LOOP) and --enable-native-access=ALL-UNNAMED on 22+ (Netty's epoll library).
if [ "${1:-}" = --flags ]; then
  java=${2:?usage: find-jdk.sh --flags JAVA}
  version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  feature=${version%%.*}
  flags=""
  [ "$feature" -ge 21 ] 2>/dev/null && flags="--add-opens java.base/java.lang=ALL-UNNAMED"
  [ "$feature" -ge 22 ] 2>/dev/null && flags="$flags --enable-native-access=ALL-UNNAMED"
  echo "$flags"
  exit 0
fi
if [ -n "${STREAMS_BENCH_JAVA:-}" ]; then echo "$STREAMS_BENCH_JAVA"; exit 0; fi
for dir in /usr/lib/jvm/temurin-2*/ /usr/lib/jvm/*/; do
  [ -x "${dir}bin/java" ] || continue
  version=$("${dir}bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if [ -n "$version" ] && [ "${version%%.*}" -ge 21 ] 2>/dev/null; then echo "${dir}bin/java"; exit 0; fi
done
command -v java
