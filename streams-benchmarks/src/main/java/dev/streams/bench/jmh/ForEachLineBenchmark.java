package dev.streams.bench.jmh;

import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@code forEachLine} over lines the buffer already holds (asyncio's {@code async for} over a pipelined burst), against
 * the hand-written loop it replaces ({@code readLine().getNow()} until EOF). One operation is one line; each
 * invocation runs a fresh reader holding {@value #LINES} lines and EOF. With {@code -prof gc} the allocation per line
 * is what the loop costs beyond the line's {@code byte[]}.
 */
public class ForEachLineBenchmark extends ShortRun {

    static final int LINES = 4096;

    @Param({"100"})
    public int lineSize;

    private ByteBuf chunk;
    private FeedableStreamReader reader;

    @Setup(Level.Trial)
    public void makeChunk() {
        chunk = Chunks.lines(lineSize, LINES);
    }

    @TearDown(Level.Trial)
    public void releaseChunk() {
        chunk.release();
    }

    /** A new reader holding every line, then EOF (the reader owns the copy it is fed). */
    @Setup(Level.Invocation)
    public void fill() {
        reader = NettyStreams.newReader(64 * 1024);
        reader.feedData(chunk.retainedDuplicate());
        reader.feedEof();
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void forEachLine(Blackhole bh) {
        CompletableFuture<Void> done = reader.forEachLine(line -> {
            bh.consume(line);
            return null;
        });
        bh.consume(done.isDone());
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void readLineLoop(Blackhole bh) {
        byte[] line;
        while ((line = reader.readLine().getNow(null)).length > 0) {
            bh.consume(line);
        }
    }
}
