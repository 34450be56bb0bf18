package dev.streams.bench.jmh;

import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
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
 * Length-prefixed frames: {@code readExactly(4)} then {@code readExactly(length)} against
 * {@link LengthFieldBasedFrameDecoder} (length stripped). One operation is one frame; {@value #FRAMES} per chunk.
 */
public class ReadExactlyBenchmark extends DecoderComparison {

    static final int FRAMES = 16;

    @Param({"100", "4096"})
    public int payload;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        open(Chunks.frames(payload, FRAMES), () -> new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4), blackhole);
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void streamsReader(Blackhole bh) {
        reader.feedData(read());
        for (int i = 0; i < FRAMES; i++) {
            byte[] header = reader.readExactly(4).getNow(null);
            int length = (header[0] & 0xff) << 24 | (header[1] & 0xff) << 16 | (header[2] & 0xff) << 8
                    | header[3] & 0xff;
            bh.consume(reader.readExactly(length).getNow(null));
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void nettyLengthFieldDecoder() {
        decoderChannel.writeInbound(read());
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void nettyLengthFieldDecoderToBytes() {
        decoderToBytesChannel.writeInbound(read());
    }
}
