/**
 * The line-echo load harness: {@link dev.streams.bench.harness.EchoServer} (one server per JVM),
 * {@link dev.streams.bench.harness.LoadClient} (closed-loop load, latency percentiles),
 * {@link dev.streams.bench.harness.Harness} (runs them alternately and prints the tables) and the library's echo
 * handlers in {@link dev.streams.bench.harness.EchoHandlers}. Run it with {@code scripts/run-harness.sh}; see
 * {@code PERFORMANCE.md}.
 */
package dev.streams.bench.harness;
