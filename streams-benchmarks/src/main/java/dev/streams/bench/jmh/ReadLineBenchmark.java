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
 *   <li>{@code streamsChannel}: the same through {@code NettyStreams.attach} on an {@link EmbeddedChannel}.</li>
 *   <li>{@code nettyLineDecoder}: {@link LineBasedFrameDecoder} on an {@link EmbeddedChannel}, each frame (a
 *       retained slice) handed on and released.</li>
 *   <li>{@code nettyLineDecoderToBytes}: the same, each frame copied to a {@code byte[]} — what readLine returns.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ReadLineBenchmark {

    static final int LINES = 16;

    @Param({"100", "4096"})
    public int lineSize;

    private ByteBuf chunk;
    private FeedableStreamReader reader;
    private EmbeddedChannel streamsChannel;
    private StreamReader channelReader;
    private EmbeddedChannel decoderChannel;
    private EmbeddedChannel decoderToBytesChannel;
    private Blackhole blackhole;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        chunk = Chunks.lines(lineSize, LINES);
        reader = NettyStreams.newReader(64 * 1024);
        streamsChannel = new EmbeddedChannel();
        StreamConnection connection = NettyStreams.attach(streamsChannel);
        channelReader = connection.reader();
        decoderChannel = new EmbeddedChannel(new LineBasedFrameDecoder(64 * 1024, false, false),
                new Chunks.Sink(blackhole, false));
        decoderToBytesChannel = new EmbeddedChannel(new LineBasedFrameDecoder(64 * 1024, false, false),
                new Chunks.Sink(blackhole, true));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        streamsChannel.finishAndReleaseAll();
        decoderChannel.finishAndReleaseAll();
        decoderToBytesChannel.finishAndReleaseAll();
        reader.feedEof();
        chunk.release();
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void streamsReader(Blackhole bh) {
        reader.feedData(chunk.retainedDuplicate());
        for (int i = 0; i < LINES; i++) {
            bh.consume(reader.readLine().getNow(null));
        }
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void streamsChannel(Blackhole bh) {
        streamsChannel.writeInbound(chunk.retainedDuplicate());
        for (int i = 0; i < LINES; i++) {
            bh.consume(channelReader.readLine().getNow(null));
        }
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void nettyLineDecoder() {
        decoderChannel.writeInbound(chunk.retainedDuplicate());
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void nettyLineDecoderToBytes() {
        decoderToBytesChannel.writeInbound(chunk.retainedDuplicate());
    }
}
