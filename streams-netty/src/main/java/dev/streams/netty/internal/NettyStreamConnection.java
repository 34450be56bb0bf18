package dev.streams.netty.internal;

import dev.streams.StreamConnection;

/** A reader and a writer over one channel; {@code toString()} is {@code StreamConnection[local -> remote]}. */
public final class NettyStreamConnection implements StreamConnection {

    private final ByteBufStreamReader reader;
    private final ChannelStreamWriter writer;
    private final StreamsChannelHandler handler;

    NettyStreamConnection(ByteBufStreamReader reader, ChannelStreamWriter writer, StreamsChannelHandler handler) {
        this.reader = reader;
        this.writer = writer;
        this.handler = handler;
    }

    @Override
    public ByteBufStreamReader reader() {
        return reader;
    }

    @Override
    public ChannelStreamWriter writer() {
        return writer;
    }

    /** Metrics: the server's counters of this connection's event loop, or null on a client connection. */
    ServerCounters.Loop counters() {
        return handler.counters();
    }

    @Override
    public void close() {
        writer.close();
    }

    @Override
    public String toString() {
        return handler.connectionName();
    }
}
