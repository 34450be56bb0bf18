package dev.streams.netty.internal;

import dev.streams.StreamWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * Test-only access to a connection's internals (the channel under a writer) for the reliability tests, which live
 * outside this package: the outbound queue, autoRead, and a probe in front of the stream handler.
 */
public final class Internals {

    private Internals() {
    }

    /**
     * A standalone reader whose autoRead requests go to {@code control} (as a channel's would): at each change it is
     * told, the autoRead the reader wants then.
     */
    public static ByteBufStreamReader readerWithControl(int limit, java.util.function.Consumer<Boolean> control) {
        ByteBufStreamReader[] reader = new ByteBufStreamReader[1];
        reader[0] = new ByteBufStreamReader(limit, new ReadControl() {
            @Override
            public void readingChanged() {
                Boolean wanted = reader[0].autoReadWanted();
                if (wanted != null) {
                    control.accept(wanted);
                }
            }

            @Override
            public void readerFailed(Throwable cause) {
            }
        });
        return reader[0];
    }

    /** The channel under a writer of {@code NettyStreams}. */
    public static Channel channel(StreamWriter writer) {
        return ((ChannelStreamWriter) writer).channel();
    }

    /** Bytes queued in the channel's outbound buffer; call on the channel's event loop (or it hops there). */
    public static long pendingWriteBytes(StreamWriter writer) {
        Channel channel = channel(writer);
        if (channel.eventLoop().inEventLoop()) {
            ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
            return out == null ? 0 : out.totalPendingWriteBytes();
        }
        try {
            return channel.eventLoop().submit(() -> pendingWriteBytes(writer)).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("could not sample the outbound buffer", e);
        }
    }

    /** Whether the channel reads from its socket (the reader's back-pressure turns it off). */
    public static boolean autoRead(StreamWriter writer) {
        return channel(writer).config().isAutoRead();
    }

    /**
     * Puts a probe in front of the stream handler: {@code beforeFeed} gets each inbound buffer's size just before the
     * reader is fed with it, {@code afterFeed} runs just after. Must be called on the event loop or before reading.
     */
    public static void probeInbound(StreamWriter writer, LongConsumer beforeFeed, Runnable afterFeed) {
        Channel channel = channel(writer);
        String streams = channel.pipeline().context(StreamsChannelHandler.class).name();
        channel.pipeline().addBefore(streams, "reliability-probe", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf) {
                    beforeFeed.accept(((ByteBuf) msg).readableBytes());
                }
                ctx.fireChannelRead(msg);
                afterFeed.run();
            }
        });
    }

    /** A future completed (on the event loop) once the channel has read at least {@code bytes} bytes from now on. */
    public static CompletableFuture<Void> whenReceived(StreamWriter writer, long bytes) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long[] seen = {0};
        Channel channel = channel(writer);
        Runnable install = () -> probeInbound(writer, n -> seen[0] += n, () -> {
            if (seen[0] >= bytes) {
                done.complete(null);
            }
        });
        if (channel.eventLoop().inEventLoop()) {
            install.run();
        } else {
            channel.eventLoop().submit(install).syncUninterruptibly(); // installed before this returns
        }
        return done;
    }
}
