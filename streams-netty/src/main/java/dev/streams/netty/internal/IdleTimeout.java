package dev.streams.netty.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The idle timeout of one connection ({@code StreamOptions.idleTimeout}): a handler just in front of the stream
 * handler that tells it when the connection neither read nor wrote a byte for that long. Added once the connection is
 * ready (after a TLS handshake, which keeps its own timeout) and removed with the stream handler.
 *
 * <p>Activity is a read (at {@code channelReadComplete}), a write handed to the channel, or, seen when the timer
 * checks, any progress of the channel's outbound buffer (bytes of a large write leaving to a slow peer). A peer that
 * stops reading while this side writes makes no progress once the writer waits in {@code drain()}, so it counts as
 * idle. Messages pass through untouched (the buffers are never this handler's). Event-loop confined.
 */
final class IdleTimeout extends ChannelDuplexHandler implements Runnable {

    private final StreamsChannelHandler streams;
    private final Duration timeout;
    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private Ticker ticker;
    private Future<?> check;
    private long lastActivity;
    private boolean reading;
    /** The outbound buffer as the last check saw it: current message, pending bytes, progress of the current one. */
    private int lastMessage;
    private long lastPending;
    private long lastProgress;

    IdleTimeout(StreamsChannelHandler streams, Duration timeout) {
        this.streams = streams;
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ticker = ctx.executor().ticker();
        lastActivity = ticker.nanoTime();
        outputMoved();
        schedule(timeoutNanos);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (reading) {
            reading = false;
            lastActivity = ticker.nanoTime();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastActivity = ticker.nanoTime();
        ctx.write(msg, promise);
    }

    /** The check, scheduled for when the connection would have been idle for the timeout. */
    @Override
    public void run() {
        check = null;
        if (ctx.isRemoved() || !ctx.channel().isActive()) {
            return;
        }
        long now = ticker.nanoTime();
        if (outputMoved()) {
            lastActivity = now;
        }
        long idle = now - lastActivity;
        if (idle >= timeoutNanos) {
            streams.idle(timeout);
        } else {
            schedule(timeoutNanos - idle);
        }
    }

    private void schedule(long delayNanos) {
        check = ctx.executor().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    /** Whether the outbound buffer changed since the last call (which it records). */
    private boolean outputMoved() {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (buffer == null) {
            return false;
        }
        int message = System.identityHashCode(buffer.current());
        long pending = buffer.totalPendingWriteBytes();
        long progress = buffer.currentProgress();
        boolean moved = message != lastMessage || pending != lastPending || progress != lastProgress;
        lastMessage = message;
        lastPending = pending;
        lastProgress = progress;
        return moved;
    }
}
