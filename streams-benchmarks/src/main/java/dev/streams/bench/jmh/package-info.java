/**
 * JMH micro-benchmarks of the reader ({@code readLine}, {@code readExactly}, {@code readUntil}) and the write path,
 * each against the Netty decoder or write call doing the same job. Run them with {@code scripts/run-jmh.sh}; see
 * {@code PERFORMANCE.md}.
 */
package dev.streams.bench.jmh;
