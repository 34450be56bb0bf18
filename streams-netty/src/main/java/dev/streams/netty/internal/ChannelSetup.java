package dev.streams.netty.internal;

import dev.streams.netty.StreamOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import java.util.function.Consumer;

/** The pipeline every stream connection gets, for clients and servers alike: TLS (when asked) in front of the stream handler. */
final class ChannelSetup {

    private ChannelSetup() {
    }

    /**
     * The initializer of a connection's pipeline: an {@code SslHandler} when the options have a context, then the
     * stream handler, which is handed to {@code onHandler} (before the connection is ready).
     *
     * @param tlsHost for a client: the name to send in SNI and verify; ignored by a server context
     * @param port    for a client: the port, for TLS session reuse; -1 when there is none
     */
    static ChannelInitializer<Channel> initializer(StreamOptions options, String tlsHost, int port,
                                                   Consumer<StreamsChannelHandler> onHandler) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                if (options.sslContext() != null) {
                    if (!options.sslContext().isClient()) {
                        channel.pipeline().addLast(new RenegotiationGuard()); // in front of the SslHandler
                    }
                    channel.pipeline().addLast(Tls.newHandler(options.sslContext(), channel.alloc(), tlsHost, port,
                            options));
                }
                StreamsChannelHandler handler = new StreamsChannelHandler(channel, options);
                channel.pipeline().addLast(handler);
                onHandler.accept(handler);
            }
        };
    }

    /** The options' water marks, for the channel's config. */
    static WriteBufferWaterMark waterMark(StreamOptions options) {
        return new WriteBufferWaterMark(options.lowWaterMark(), options.highWaterMark());
    }
}
