package dev.streams.bench.jmh;

import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DelimiterBasedFrameDecoder;
import java.nio.charset.StandardCharsets;
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
 * {@code readUntil("\r\n", "\0")} against {@link DelimiterBasedFrameDecoder} with the same two delimiters (not the
 * line pair, which Netty would hand to its line decoder). Records alternate between the two separators. One
 * operation is one record; {@value #RECORDS} per chunk.
 */
public class ReadUntilBenchmark extends DecoderComparison {

    static final int RECORDS = 16;
    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NUL = {0};

    @Param({"100"})
    public int recordSize;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        open(Chunks.records(recordSize, RECORDS), ReadUntilBenchmark::decoder, blackhole);
    }

    private static DelimiterBasedFrameDecoder decoder() {
        return new DelimiterBasedFrameDecoder(64 * 1024, false, Unpooled.wrappedBuffer(CRLF),
                Unpooled.wrappedBuffer(NUL));
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void streamsReader(Blackhole bh) {
        reader.feedData(read());
        for (int i = 0; i < RECORDS; i++) {
            bh.consume(reader.readUntil(CRLF, NUL).getNow(null));
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void nettyDelimiterDecoder() {
        decoderChannel.writeInbound(read());
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void nettyDelimiterDecoderToBytes() {
        decoderToBytesChannel.writeInbound(read());
    }
}
