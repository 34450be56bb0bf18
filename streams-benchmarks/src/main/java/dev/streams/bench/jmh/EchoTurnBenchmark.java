package dev.streams.bench.jmh;

import dev.streams.StreamConnection;
import dev.streams.bench.harness.EchoHandlers;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.internal.NettyStreamServer;
import dev.streams.netty.internal.StreamsChannelHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The Java side of one echo, without sockets: the line-echo servers of the load harness, each on an
 * {@link EmbeddedChannel}, fed the bytes a socket read would deliver (a pooled direct buffer) and emptied of what
 * they write. One operation is one echoed 100-byte line; {@code pingPong*} feeds one line per read, {@code
 * pipelined*} {@value #PIPELINED} lines in one read. What the harness adds on top of this is the kernel's share,
 * which is the same for all of them.
 *
 * <ul>
 *   <li>{@code *Raw}: the raw echo handler (each buffer written back as it came, one flush per read batch).</li>
 *   <li>{@code *LineDecoder}: {@link LineBasedFrameDecoder} and an echo of each frame.</li>
 *   <li>{@code *Streams}: this library's async line echo ({@link EchoHandlers#asyncLineEcho()}: {@code readLine},
 *       {@code write}, {@code drain}, chained with futures) on {@link NettyStreams#attach}: a client connection,
 *       which no server counts.</li>
 *   <li>{@code *StreamsCounted}: the same, on a connection counted in a server's metrics as a served connection is
 *       ({@code StreamServer.metrics()}: bytes read per {@code channelRead}, bytes written per buffer handed to the
 *       channel). The difference to {@code *Streams} is what the metrics cost.</li>
 * </ul>
 */
public class EchoTurnBenchmark extends ShortRun {

    static final int LINE = 100;
    static final int PIPELINED = 16;

    private ByteBuf oneLine;
    private ByteBuf manyLines;
    private EmbeddedChannel raw;
    private EmbeddedChannel lineDecoder;
    private EmbeddedChannel streams;
    private EmbeddedChannel counted;
    private NettyStreamServer server;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        oneLine = Chunks.lines(LINE, 1);
        manyLines = Chunks.lines(LINE, PIPELINED);
        raw = new EmbeddedChannel(new Echo());
        lineDecoder = new EmbeddedChannel(new LineBasedFrameDecoder(64 * 1024, false, false), new Echo());
        streams = new EmbeddedChannel();
        StreamConnection connection = NettyStreams.attach(streams);
        EchoHandlers.asyncLineEcho().handle(connection.reader(), connection.writer());
        counted = new EmbeddedChannel();
        StreamConnection countedConnection = NettyStreams.attach(counted);
        server = new NettyStreamServer(null, true, null);
        server.track(counted.pipeline().get(StreamsChannelHandler.class)); // counted from here on, as if accepted
        EchoHandlers.asyncLineEcho().handle(countedConnection.reader(), countedConnection.writer());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (server.metrics().bytesRead() != server.metrics().bytesWritten()) {
            throw new IllegalStateException("the counted echo counted " + server.metrics());
        }
        raw.finishAndReleaseAll();
        counted.finishAndReleaseAll();
        lineDecoder.finishAndReleaseAll();
        streams.finishAndReleaseAll();
        oneLine.release();
        manyLines.release();
    }

    @Benchmark
    public int pingPongRaw() {
        return turn(raw, oneLine);
    }

    @Benchmark
    public int pingPongLineDecoder() {
        return turn(lineDecoder, oneLine);
    }

    @Benchmark
    public int pingPongStreams() {
        return turn(streams, oneLine);
    }

    @Benchmark
    public int pingPongStreamsCounted() {
        return turn(counted, oneLine);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINED)
    public int pipelinedRaw() {
        return turn(raw, manyLines);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINED)
    public int pipelinedLineDecoder() {
        return turn(lineDecoder, manyLines);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINED)
    public int pipelinedStreams() {
        return turn(streams, manyLines);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINED)
    public int pipelinedStreamsCounted() {
        return turn(counted, manyLines);
    }

    /**
     * One read: a copy of {@code input} in a pooled direct buffer (a socket read allocates one, whoever reads it),
     * then everything written in answer is taken out and released. Returns the bytes echoed.
     */
    private static int turn(EmbeddedChannel channel, ByteBuf input) {
        ByteBuf read = channel.alloc().directBuffer(input.readableBytes());
        read.writeBytes(input, input.readerIndex(), input.readableBytes());
        channel.writeInbound(read); // the pipeline owns read from here on
        int echoed = 0;
        for (ByteBuf out; (out = channel.readOutbound()) != null; out.release()) {
            echoed += out.readableBytes();
        }
        if (echoed != input.readableBytes()) {
            throw new IllegalStateException("echoed " + echoed + " of " + input.readableBytes() + " bytes");
        }
        return echoed;
    }

    /** Writes back what it reads (a buffer or a frame); one flush per read batch. */
    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise()); // Netty owns msg from here on
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
