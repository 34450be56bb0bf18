package dev.streams.bench.jmh;

import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What every reader benchmark compares: a chunk of input (one pooled buffer, as a socket read delivers), the
 * standalone reader, and a Netty decoder on an {@link EmbeddedChannel} whose frames are either handed on
 * ({@code decoderChannel}) or copied to a {@code byte[]} as a streams user gets them ({@code decoderToBytesChannel}).
 * Subclasses build them in their {@code @Setup} with {@link #open}; this class releases them.
 */
public abstract class DecoderComparison extends ShortRun {

    /** The input fed on every invocation (copied by {@link #read()}); released at tear-down. */
    ByteBuf chunk;
    FeedableStreamReader reader;
    EmbeddedChannel decoderChannel;
    EmbeddedChannel decoderToBytesChannel;

    /** Sets up the chunk, the reader and both decoder channels ({@code decoder} makes a fresh decoder each call). */
    void open(ByteBuf input, Supplier<ChannelHandler> decoder, Blackhole blackhole) {
        chunk = input;
        reader = NettyStreams.newReader(64 * 1024);
        decoderChannel = new EmbeddedChannel(decoder.get(), new Chunks.Sink(blackhole, false));
        decoderToBytesChannel = new EmbeddedChannel(decoder.get(), new Chunks.Sink(blackhole, true));
    }

    /**
     * The chunk as a socket read delivers it: a fresh buffer of its own from Netty's default (pooled) allocator,
     * owned by whoever it is handed to. Every contender pays the same allocation and copy (the kernel's part).
     */
    ByteBuf read() {
        ByteBuf read = ByteBufAllocator.DEFAULT.directBuffer(chunk.readableBytes());
        return read.writeBytes(chunk, chunk.readerIndex(), chunk.readableBytes());
    }

    @TearDown(Level.Trial)
    public void release() {
        decoderChannel.finishAndReleaseAll();
        decoderToBytesChannel.finishAndReleaseAll();
        reader.feedEof();
        chunk.release();
    }
}
