package dev.streams.netty.internal;

import dev.streams.StreamWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSession;

/**
 * The writer of one connection.
 *
 * <p><b>Buffer ownership.</b> Each write copies the caller's bytes into a new buffer from the channel's allocator and
 * hands that buffer to Netty with {@code channel.write}; from then on Netty owns it and releases it once written or when
 * the write fails.
 *
 * <p><b>Flushes.</b> On the event loop, writes made while the handler is inside {@code channelRead} are flushed once
 * at {@code channelReadComplete}, and other writes once at the end of the event-loop turn (one scheduled task). From
 * any other thread a write is handed over with its flush in one task ({@code writeAndFlush}), since a task queued
 * behind a pending flush could otherwise miss it.
 *
 * <p><b>drain().</b> Answered from {@link Channel#isWritable()}: the channel's water marks count every queued byte,
 * including writes still on their way to the event loop. Waiting drainers are completed by
 * {@code channelWritabilityChanged} and failed when the channel closes.
 */
public final class ChannelStreamWriter implements StreamWriter {

    private final Channel channel;
    private final StreamsChannelHandler handler;
    private final Queue<CompletableFuture<Void>> drainers = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Runnable flushTask = this::flushNow;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /**
     * Makes "check open, hand the buffer to the channel" atomic against close() and writeEof() flipping their flags:
     * a write that passed the check is queued before their closing task, so it is never dropped by it.
     */
    private final Object handOver = new Object();

    /** Set by close(), abort() or the end of the connection. */
    private volatile boolean closing;
    /** Set by close() and abort(): later writes are refused. */
    private volatile boolean closedLocally;
    private volatile boolean eofWritten;
    /** Why the connection is gone (its error, or ClosedChannelException); null while it is up. */
    private volatile Throwable lost;

    ChannelStreamWriter(Channel channel, StreamsChannelHandler handler) {
        this.channel = channel;
        this.handler = handler;
    }

    // ---------------------------------------------------------------------------------------------- writes

    @Override
    public void write(byte[] data) {
        Objects.requireNonNull(data, "data");
        write(data, 0, data.length);
    }

    @Override
    public void write(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(data, "data").length);
        synchronized (handOver) {
            checkOpen();
            if (len == 0 || lost != null) {
                return; // nothing to send, or the peer is gone: drain() reports why
            }
            ByteBuf buf = channel.alloc().ioBuffer(len);
            buf.writeBytes(data, off, len);
            send(buf, true);
        }
    }

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        synchronized (handOver) {
            checkOpen();
            int len = data.remaining();
            if (len == 0 || lost != null) {
                data.position(data.limit());
                return;
            }
            ByteBuf buf = channel.alloc().ioBuffer(len);
            buf.writeBytes(data);
            send(buf, true);
        }
    }

    @Override
    public void writeLines(Iterable<byte[]> lines) {
        Objects.requireNonNull(lines, "lines");
        List<byte[]> all = new ArrayList<>();
        int i = 0;
        for (byte[] line : lines) {
            all.add(Objects.requireNonNull(line, "lines[" + i++ + "]"));
        }
        synchronized (handOver) {
            checkOpen();
            if (lost != null) {
                return;
            }
            for (byte[] line : all) {
                if (line.length > 0) {
                    ByteBuf buf = channel.alloc().ioBuffer(line.length);
                    buf.writeBytes(line);
                    send(buf, false);
                }
            }
            flush();
        }
    }

    /** Hands {@code buf} to Netty, which owns it from here on. */
    private void send(ByteBuf buf, boolean flush) {
        if (channel.eventLoop().inEventLoop()) {
            channel.write(buf, channel.voidPromise());
            if (flush) {
                flush();
            }
        } else if (flush) {
            channel.writeAndFlush(buf, channel.voidPromise());
        } else {
            channel.write(buf, channel.voidPromise());
        }
    }

    /** Flushes soon: at the end of the current read batch or event-loop turn; from outside, by a queued task. */
    private void flush() {
        if (channel.eventLoop().inEventLoop() && handler.deferFlushToReadComplete()) {
            return;
        }
        if (flushScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled.set(false);
        channel.flush();
    }

    private void checkOpen() {
        if (closedLocally) {
            throw new IllegalStateException("write after close(): " + handler.connectionName());
        }
        if (eofWritten) {
            throw new IllegalStateException("write after writeEof(): " + handler.connectionName());
        }
    }

    // ---------------------------------------------------------------------------------------------- drain

    @Override
    public CompletableFuture<Void> drain() {
        Throwable cause = lost;
        if (cause != null) {
            return CompletableFuture.failedFuture(cause);
        }
        if (writable()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> drainer = new CompletableFuture<>();
        drainers.add(drainer);
        // The channel may have become writable (or closed) between the check and the add: look again.
        if (writable() || lost != null) {
            releaseDrainers();
        }
        return drainer;
    }

    /** Writable, and not on its way out (a closing channel's dropped queue makes it writable too). */
    private boolean writable() {
        return channel.isActive() && channel.isWritable();
    }

    /**
     * Completes (or, once the connection is lost, fails) the waiting drainers while the channel stays writable. Safe
     * from any thread. Writability is checked before each one: a drainer's callback may write (and call drain()
     * again) synchronously, and once that makes the channel unwritable the rest must go on waiting.
     */
    void releaseDrainers() {
        CompletableFuture<Void> drainer;
        while ((lost != null || writable()) && (drainer = drainers.poll()) != null) {
            Throwable cause = lost;
            if (cause != null) {
                drainer.completeExceptionally(cause);
            } else {
                drainer.complete(null);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- closing

    @Override
    public boolean canWriteEof() {
        return channel instanceof DuplexChannel && channel.pipeline().get(SslHandler.class) == null;
    }

    @Override
    public void writeEof() {
        if (!canWriteEof()) {
            throw new UnsupportedOperationException("writeEof() is not supported on " + handler.connectionName()
                    + (channel instanceof DuplexChannel ? " (TLS)" : ""));
        }
        synchronized (handOver) {
            if (closedLocally) {
                throw new IllegalStateException("writeEof() after close(): " + handler.connectionName());
            }
            if (eofWritten) {
                throw new IllegalStateException("writeEof() called twice: " + handler.connectionName());
            }
            eofWritten = true;
        }
        if (lost != null) {
            return;
        }
        // Shut the output down once everything queued before it is written (shutdownOutput drops pending writes),
        // as a task even on the event loop: writes handed over by other threads just before are queued ahead of it.
        afterHandedOverWrites(() -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(
                (ChannelFutureListener) f -> ((DuplexChannel) channel).shutdownOutput()));
    }

    @Override
    public void close() {
        synchronized (handOver) {
            if (closedLocally) {
                return;
            }
            closedLocally = true;
            closing = true;
        }
        // Close once everything queued before it is written (Netty's close drops pending writes), as a task even on
        // the event loop: writes handed over by other threads just before are queued ahead of it.
        afterHandedOverWrites(
                () -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
    }

    /** Runs {@code step} as an event-loop task, behind the writes handed over before it (see {@link #handOver}). */
    private void afterHandedOverWrites(Runnable step) {
        try {
            channel.eventLoop().execute(step);
        } catch (RejectedExecutionException loopShutDown) {
            step.run(); // no loop to queue on: Netty fails the write itself, as it did before
        }
    }

    @Override
    public void abort() {
        closedLocally = true;
        closing = true;
        if (!channel.isOpen()) {
            return;
        }
        channel.eventLoop().execute(() -> {
            if (channel.isOpen()) {
                if (channel.config().getOptions().containsKey(ChannelOption.SO_LINGER)) {
                    channel.config().setOption(ChannelOption.SO_LINGER, 0); // close sends RST
                }
                channel.close();
            }
        });
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public CompletableFuture<Void> waitClosed() {
        return closed.copy();
    }

    /** The channel is gone: fail drainers, settle waitClosed. Called once, on the event loop. */
    void connectionLost(Throwable error) {
        closing = true;
        lost = error != null ? error : new ClosedChannelException();
        releaseDrainers();
        if (error != null) {
            closed.completeExceptionally(error);
        } else {
            closed.complete(null);
        }
    }

    // ---------------------------------------------------------------------------------------------- info

    Channel channel() {
        return channel;
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public SocketAddress localAddress() {
        return channel.localAddress();
    }

    @Override
    public Optional<SSLSession> sslSession() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return Optional.empty();
        }
        return Optional.of(ssl.engine().getSession());
    }

    @Override
    public String toString() {
        return "StreamWriter[" + handler.connectionName() + (closing ? ", closing" : "") + "]";
    }
}
