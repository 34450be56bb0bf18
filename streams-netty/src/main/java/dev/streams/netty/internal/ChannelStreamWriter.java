package dev.streams.netty.internal;

import dev.streams.netty.NettyStreamWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSession;

/**
 * The writer of one connection, as its user sees it: argument checks, the closing protocol ({@code close},
 * {@code writeEof}, {@code abort}, {@code waitClosed}) and what the connection is (addresses, TLS session). The bytes
 * themselves, and when they go to the channel, are the {@link WriteQueue}'s business; waiting in {@code drain()} is
 * {@link Drainers}'.
 */
public final class ChannelStreamWriter implements NettyStreamWriter {

    /**
     * The queue, and through it everything else of the writer: the channel, the stream handler and the
     * {@link WriterState} (one field: a connection's writer costs as little memory as it can while it idles).
     */
    private final WriteQueue queue;

    ChannelStreamWriter(Channel channel, StreamsChannelHandler handler) {
        this.queue = new WriteQueue(channel, handler, new WriterState(handler));
    }

    /** The queue behind this writer (for the channel handler and the loop carrier). */
    WriteQueue queue() {
        return queue;
    }

    // ---------------------------------------------------------------------------------------------- writes

    @Override
    public void write(byte[] data) {
        Objects.requireNonNull(data, "data");
        queue.write(data, 0, data.length, null);
    }

    @Override
    public void write(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(data, "data").length);
        queue.write(data, off, len, null);
    }

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        int position = data.position();
        try {
            queue.write(null, 0, data.remaining(), data);
        } catch (IllegalStateException refused) {
            data.position(position); // nothing was taken
            throw refused;
        }
    }

    @Override
    public void write(ByteBuf data) {
        Objects.requireNonNull(data, "data");
        queue.writeOwned(data); // the queue owns data from here on, and releases it if it refuses it
    }

    @Override
    public CompletableFuture<Long> sendFile(FileChannel file, long position, long count) {
        Objects.requireNonNull(file, "file");
        if (position < 0) {
            throw new IllegalArgumentException("position < 0: " + position);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count < 0: " + count);
        }
        long size;
        try {
            file.read(ByteBuffer.allocate(0), position); // throws NonReadableChannelException for a write-only file
            size = file.size();
        } catch (IOException unreadable) {
            return CompletableFuture.failedFuture(unreadable);
        }
        if (count > size - position) {
            throw new IllegalArgumentException("position + count > the file's size: " + position + " + " + count
                    + " > " + size);
        }
        if (count == 0) {
            state().checkOpen();
            return CompletableFuture.completedFuture(0L);
        }
        FileSend send = new FileSend(file, position, count);
        queue.sendFile(send);
        return send.result;
    }

    @Override
    public void writeLines(Iterable<byte[]> lines) {
        Objects.requireNonNull(lines, "lines");
        List<byte[]> all = new ArrayList<>();
        int i = 0;
        for (byte[] line : lines) {
            all.add(Objects.requireNonNull(line, "lines[" + i++ + "]"));
        }
        queue.writeLines(all);
    }

    @Override
    public CompletableFuture<Void> drain() {
        return Drainers.drain(queue, state());
    }

    // ---------------------------------------------------------------------------------------------- closing

    @Override
    public boolean canWriteEof() {
        Channel channel = channel();
        return channel instanceof DuplexChannel && channel.pipeline().get(SslHandler.class) == null;
    }

    @Override
    public void writeEof() {
        Channel channel = channel();
        if (!canWriteEof()) {
            throw new UnsupportedOperationException("writeEof() is not supported on " + handler().connectionName()
                    + (channel instanceof DuplexChannel ? " (TLS)" : ""));
        }
        state().markEof();
        if (state().lost() != null) {
            return;
        }
        // Shut the output down once everything queued before it is written (shutdownOutput drops pending writes).
        queue.afterQueuedWrites(() -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(
                (ChannelFutureListener) f -> ((DuplexChannel) channel).shutdownOutput()));
    }

    @Override
    public void close() {
        if (state().markClosed()) {
            // Close once everything queued before it is written (Netty's close drops pending writes).
            Channel channel = channel();
            queue.afterQueuedWrites(() -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER)
                    .addListener(ChannelFutureListener.CLOSE));
        }
    }

    @Override
    public void abort() {
        state().markClosed();
        Channel channel = channel();
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
        return state().isClosing();
    }

    @Override
    public CompletableFuture<Void> waitClosed() {
        return state().waitClosed();
    }

    /** The channel is gone: the queue fails its drainers and releases what it holds; waitClosed settles. */
    void connectionLost(Throwable error) {
        queue.connectionLost(error);
        state().settleClosed(error);
    }

    // ---------------------------------------------------------------------------------------------- info

    @Override
    public Channel channel() {
        return queue.channel;
    }

    private WriterState state() {
        return queue.state;
    }

    private StreamsChannelHandler handler() {
        return queue.handler;
    }

    @Override
    public CompletableFuture<Void> startTls(SslContext sslContext, String serverHostname) {
        Objects.requireNonNull(sslContext, "sslContext");
        return handler().startTls(sslContext, serverHostname);
    }

    @Override
    public SocketAddress remoteAddress() {
        return ConnectionNames.typed(channel().remoteAddress());
    }

    @Override
    public SocketAddress localAddress() {
        return ConnectionNames.typed(channel().localAddress());
    }

    @Override
    public Optional<SSLSession> sslSession() {
        SslHandler ssl = channel().pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return Optional.empty();
        }
        return Optional.of(ssl.engine().getSession());
    }

    @Override
    public String toString() {
        return "StreamWriter[" + handler().connectionName() + (isClosing() ? ", closing" : "") + "]";
    }
}
