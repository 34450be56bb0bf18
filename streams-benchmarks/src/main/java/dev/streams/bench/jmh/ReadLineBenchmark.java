package dev.streams.bench.jmh;

import dev.streams.StreamConnection;
import dev.streams.StreamReader;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@code readLine()} against {@link LineBasedFrameDecoder}. One operation is one line; each invocation feeds a chunk
 * of {@value #LINES} lines (one pooled direct buffer, as a socket read would deliver) and takes every line out.
 *
 * <ul>
 *   <li>{@code streamsReader}: the standalone reader, {@code feedData} + {@code readLine().getNow()}.</li>
 *   <li>{@code streamsReaderBuf}: the same with {@code readLineBuf()} (a retained slice per line, no copy).</li>
 *   <li>{@code streamsChannel}: the same through {@code NettyStreams.attach} on an {@link EmbeddedChannel}.</li>
 *   <li>{@code nettyLineDecoder}: {@link LineBasedFrameDecoder} on an {@link EmbeddedChannel}, each frame (a
 *       retained slice) handed on and released.</li>
 *   <li>{@code nettyLineDecoderToBytes}: the same, each frame copied to a {@code byte[]} — what readLine returns.</li>
 * </ul>
 */
public class ReadLineBenchmark extends DecoderComparison {

    static final int LINES = 16;

    @Param({"100", "4096"})
    public int lineSize;

    private EmbeddedChannel streamsChannel;
    private StreamReader channelReader;
    private Blackhole blackhole;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        open(Chunks.lines(lineSize, LINES), () -> new LineBasedFrameDecoder(64 * 1024, false, false), blackhole);
        streamsChannel = new EmbeddedChannel();
        StreamConnection connection = NettyStreams.attach(streamsChannel);
        channelReader = connection.reader();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        streamsChannel.finishAndReleaseAll();
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void streamsReader(Blackhole bh) {
        reader.feedData(read());
        for (int i = 0; i < LINES; i++) {
            bh.consume(reader.readLine().getNow(null));
        }
    }

    /** {@code readLineBuf()}: each line a retained slice of the chunk, released here (what a ByteBuf-tier echo does). */
    @Benchmark
    @OperationsPerInvocation(LINES)
    public void streamsReaderBuf(Blackhole bh) {
        reader.feedData(read());
        for (int i = 0; i < LINES; i++) {
            ByteBuf line = reader.readLineBuf().getNow(null);
            bh.consume(line.readableBytes());
            line.release(); // the caller owns each line
        }
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void streamsChannel(Blackhole bh) {
        streamsChannel.writeInbound(read());
        for (int i = 0; i < LINES; i++) {
            bh.consume(channelReader.readLine().getNow(null));
        }
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void nettyLineDecoder() {
        decoderChannel.writeInbound(read());
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void nettyLineDecoderToBytes() {
        decoderToBytesChannel.writeInbound(read());
    }
}
