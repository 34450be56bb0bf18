package dev.streams.bench.jmh;

import dev.streams.StreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.internal.NettyStreamServer;
import dev.streams.netty.internal.StreamsChannelHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The write path on an {@link EmbeddedChannel}: {@value #WRITES} messages of {@code size} bytes (a {@code byte[]}
 * each, as a user holds them) per invocation; one operation is one message. After each batch the event loop's
 * pending tasks run (our coalesced flush) and the written buffers are taken out and released.
 *
 * <ul>
 *   <li>{@code streamsWriteDrain}: {@code writer.write(bytes); writer.drain()} per message.</li>
 *   <li>{@code streamsWriteDrainCounted}: the same on a connection counted in a server's metrics (as a served
 *       connection is: bytes written per buffer handed to the channel).</li>
 *   <li>{@code nettyWriteAndFlush}: {@code channel.writeAndFlush(copy)} per message (voidPromise).</li>
 *   <li>{@code nettyWriteThenFlush}: {@code channel.write(copy)} per message, one {@code flush()} per batch.</li>
 * </ul>
 */
public class WriteBenchmark extends ShortRun {

    static final int WRITES = 16;

    @Param({"100"})
    public int size;

    private byte[] message;
    private EmbeddedChannel streamsChannel;
    private StreamWriter writer;
    private EmbeddedChannel nettyChannel;
    private EmbeddedChannel countedChannel;
    private StreamWriter countedWriter;
    private NettyStreamServer server;

    @Setup(Level.Trial)
    public void setUp() {
        message = new byte[size];
        Arrays.fill(message, (byte) 'a');
        message[size - 1] = '\n';
        streamsChannel = new EmbeddedChannel();
        writer = NettyStreams.attach(streamsChannel).writer();
        nettyChannel = new EmbeddedChannel();
        countedChannel = new EmbeddedChannel();
        countedWriter = NettyStreams.attach(countedChannel).writer();
        server = new NettyStreamServer(null, true, null);
        server.track(countedChannel.pipeline().get(StreamsChannelHandler.class)); // counted, as if accepted
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        streamsChannel.finishAndReleaseAll();
        nettyChannel.finishAndReleaseAll();
        countedChannel.finishAndReleaseAll();
        if (server.metrics().bytesWritten() % size != 0) {
            throw new IllegalStateException("the counted writer counted " + server.metrics());
        }
    }

    @Benchmark
    @OperationsPerInvocation(WRITES)
    public void streamsWriteDrain(Blackhole bh) {
        for (int i = 0; i < WRITES; i++) {
            writer.write(message);
            bh.consume(writer.drain());
        }
        streamsChannel.runPendingTasks();
        releaseOutbound(streamsChannel);
    }

    @Benchmark
    @OperationsPerInvocation(WRITES)
    public void streamsWriteDrainCounted(Blackhole bh) {
        for (int i = 0; i < WRITES; i++) {
            countedWriter.write(message);
            bh.consume(countedWriter.drain());
        }
        countedChannel.runPendingTasks();
        releaseOutbound(countedChannel);
    }

    @Benchmark
    @OperationsPerInvocation(WRITES)
    public void nettyWriteAndFlush() {
        for (int i = 0; i < WRITES; i++) {
            ByteBuf buf = nettyChannel.alloc().ioBuffer(message.length);
            buf.writeBytes(message);
            nettyChannel.writeAndFlush(buf, nettyChannel.voidPromise());
        }
        releaseOutbound(nettyChannel);
    }

    @Benchmark
    @OperationsPerInvocation(WRITES)
    public void nettyWriteThenFlush() {
        for (int i = 0; i < WRITES; i++) {
            ByteBuf buf = nettyChannel.alloc().ioBuffer(message.length);
            buf.writeBytes(message);
            nettyChannel.write(buf, nettyChannel.voidPromise());
        }
        nettyChannel.flush();
        releaseOutbound(nettyChannel);
    }

    private static void releaseOutbound(EmbeddedChannel channel) {
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ((ByteBuf) msg).release();
        }
    }
}
