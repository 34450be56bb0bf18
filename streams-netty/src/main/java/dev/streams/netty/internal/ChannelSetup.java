package dev.streams.netty.internal;

import dev.streams.netty.StreamOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.logging.ByteBufFormat;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.logging.LoggingHandler;
import java.util.function.Consumer;

/**
 * The pipeline every stream connection gets, for clients and servers alike, from the socket inwards: a proxy handler
 * (clients with a proxy), TLS (when asked), the wire logger (wiretap: below TLS, so it sees plaintext), the stream
 * handler. The users' socket options are set here too, after the library's own, so that theirs win.
 */
final class ChannelSetup {

    /** The wire logger's name in the pipeline; STARTTLS puts its {@code SslHandler} in front of it. */
    static final String WIRETAP = "wiretap";

    /** Netty's logging handler is sharable: one for every connection. */
    private static final ChannelHandler WIRE_LOGGER =
            new LoggingHandler(StreamOptions.WIRE_LOGGER, LogLevel.DEBUG, ByteBufFormat.HEX_DUMP);

    private ChannelSetup() {
    }

    /**
     * {@link #initializer(StreamOptions, String, int, Consumer, Consumer)} with nothing in front of TLS.
     */
    static ChannelInitializer<Channel> initializer(StreamOptions options, String tlsHost, int port,
                                                   Consumer<StreamsChannelHandler> onHandler) {
        return initializer(options, tlsHost, port, null, onHandler);
    }

    /**
     * The initializer of a connection's pipeline: {@code front}'s handlers, an {@code SslHandler} when the options
     * have a context, the wire logger when they ask for it, then the stream handler, which is handed to
     * {@code onHandler} (before the connection is ready). The options' socket options are set first; one the channel
     * refuses fails the initialization (the channel is closed), which {@link SocketOptions#check} is there to prevent.
     *
     * @param tlsHost for a client: the name to send in SNI and verify; ignored by a server context
     * @param port    for a client: the port, for TLS session reuse; -1 when there is none
     * @param front   adds the handlers that go before TLS (a proxy's); null for none
     */
    static ChannelInitializer<Channel> initializer(StreamOptions options, String tlsHost, int port,
                                                   Consumer<Channel> front,
                                                   Consumer<StreamsChannelHandler> onHandler) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                SocketOptions.apply(channel, options.channelOptions());
                if (front != null) {
                    front.accept(channel);
                }
                if (options.sslContext() != null) {
                    if (!options.sslContext().isClient()) {
                        channel.pipeline().addLast(new RenegotiationGuard()); // in front of the SslHandler
                    }
                    channel.pipeline().addLast(Tls.newHandler(options.sslContext(), channel.alloc(), tlsHost, port,
                            options));
                }
                addWiretap(channel.pipeline(), options);
                StreamsChannelHandler handler = new StreamsChannelHandler(channel, options);
                channel.pipeline().addLast(handler);
                onHandler.accept(handler);
            }
        };
    }

    /** Adds the wire logger at the end of {@code pipeline} when the options ask for it. */
    static void addWiretap(ChannelPipeline pipeline, StreamOptions options) {
        if (options.wiretap()) {
            pipeline.addLast(WIRETAP, WIRE_LOGGER);
        }
    }

    /**
     * Where STARTTLS puts its {@code SslHandler}: in front of the wire logger when there is one (so that it keeps
     * logging plaintext), else in front of the stream handler, named {@code streamHandler}.
     */
    static String tlsPlace(ChannelPipeline pipeline, String streamHandler) {
        return pipeline.get(WIRETAP) != null ? WIRETAP : streamHandler;
    }

    /** The options' water marks, for the channel's config. */
    static WriteBufferWaterMark waterMark(StreamOptions options) {
        return new WriteBufferWaterMark(options.lowWaterMark(), options.highWaterMark());
    }
}
