package dev.streams.netty.internal;

import dev.streams.StreamConnection;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.Endpoint;
import dev.streams.netty.StreamOptions;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import java.io.FileNotFoundException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client side: connects to an {@link Endpoint} (resolution, connection racing, TLS readiness) and attaches
 * streams to channels an application already has.
 */
public final class Connector {

    /** Each client connection's stream handler, kept on its channel (see {@link #whenReady}). */
    private static final AttributeKey<StreamsChannelHandler> HANDLER = AttributeKey.valueOf("dev.streams.handler");

    private Connector() {
    }

    /**
     * Connects to {@code where}; see {@code NettyStreams.openConnection}.
     *
     * @throws IllegalArgumentException when a TCP endpoint does not name exactly one host, or the SSL context is a
     *                                  server one
     */
    public static CompletableFuture<StreamConnection> connect(Endpoint where, ConnectOptions options) {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(options, "options");
        Tls.check(options.sslContext(), true);
        if (where instanceof Endpoint.Unix) {
            return connectUnix(((Endpoint.Unix) where).path(), options);
        }
        Endpoint.Tcp tcp = (Endpoint.Tcp) where;
        if (tcp.hosts().size() != 1 || tcp.hosts().get(0) == null) {
            throw new IllegalArgumentException("a connection needs exactly one host: " + tcp.hosts());
        }
        return connectTcp(tcp.hosts().get(0), tcp.port(), options);
    }

    private static CompletableFuture<StreamConnection> connectTcp(String host, int port, ConnectOptions options) {
        EventLoopGroup group = Transport.groupOrDefault(options.eventLoopGroup(), options.transport());
        String tlsHost = options.serverHostname() != null ? options.serverHostname() : host;
        Bootstrap bootstrap = bootstrap(group, Transport.of(group).socketChannel(), options, tlsHost, port)
                .option(ChannelOption.TCP_NODELAY, true);
        CompletableFuture<StreamConnection> result = new CompletableFuture<>();
        AtomicReference<CompletableFuture<Channel>> race = new AtomicReference<>();
        resolve(host, port).thenCompose(addresses -> {
            race.set(HappyEyeballs.connect(addresses, options.happyEyeballsDelay(), options.interleave(),
                    bootstrap::connect, group.next()));
            if (result.isCancelled()) {
                race.get().cancel(false);
            }
            return race.get();
        }).whenComplete((channel, failure) -> {
            if (failure != null) {
                result.completeExceptionally(unwrap(failure));
            } else {
                whenReady(channel, result);
            }
        });
        result.whenComplete((connection, failure) -> {
            CompletableFuture<Channel> attempts = race.get();
            if (result.isCancelled() && attempts != null) {
                attempts.cancel(false); // closes every attempt still under way
            }
        });
        return result;
    }

    /**
     * The addresses of {@code host}, once: at once for an IP literal, else looked up off the calling thread (the JDK's
     * resolver blocks, and the caller may be an event loop).
     */
    private static CompletableFuture<List<InetSocketAddress>> resolve(String host, int port) {
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            return CompletableFuture.completedFuture(List.of(new InetSocketAddress(
                    NetUtil.createInetAddressFromIpAddressString(host), port)));
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return HappyEyeballs.resolve(HappyEyeballs.Resolver.SYSTEM, host, port);
            } catch (UnknownHostException e) {
                throw new CompletionException(e);
            }
        });
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static CompletableFuture<StreamConnection> connectUnix(Path path, ConnectOptions options) {
        EventLoopGroup group = Transport.groupOrDefault(options.eventLoopGroup(), options.transport());
        Transport transport = Transport.of(group);
        Bootstrap bootstrap = bootstrap(group, transport.domainChannel(), options, options.serverHostname(), -1);
        CompletableFuture<StreamConnection> result = new CompletableFuture<>();
        ChannelFuture connect = bootstrap.connect(transport.domainAddress(path));
        connect.addListener(f -> {
            if (f.isSuccess()) {
                whenReady(connect.channel(), result);
            } else if (f.cause() instanceof FileNotFoundException) {
                // The transports say only "FileNotFoundException" (no message): name the path.
                FileNotFoundException named = new FileNotFoundException("no socket at " + path);
                named.initCause(f.cause());
                result.completeExceptionally(named);
            } else {
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    private static Bootstrap bootstrap(EventLoopGroup group, Class<? extends Channel> channelType,
                                       ConnectOptions options, String tlsHost, int port) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, ChannelSetup.waterMark(options))
                .handler(ChannelSetup.initializer(options, tlsHost, port,
                        handler -> handler.connection().writer().channel().attr(HANDLER).set(handler)));
        if (options.localAddress() != null) {
            bootstrap.localAddress(options.localAddress());
        }
        return bootstrap;
    }

    /** Completes {@code result} with the channel's connection once it is ready (TLS done); closes it if cancelled. */
    private static void whenReady(Channel channel, CompletableFuture<StreamConnection> result) {
        // From the channel's attribute, not the pipeline: a channel that failed (a TLS handshake) before the race
        // handed it over has its handlers removed already, and its handler holds the reason.
        StreamsChannelHandler handler = channel.attr(HANDLER).get();
        if (handler == null) {
            result.completeExceptionally(new ClosedChannelException());
            return;
        }
        handler.ready().whenComplete((connection, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else if (!result.complete(connection)) {
                connection.writer().abort(); // the caller cancelled meanwhile
            }
        });
    }

    /** Adds a stream handler at the end of {@code channel}'s pipeline; see {@code NettyStreams.attach}. */
    public static StreamConnection attach(Channel channel, StreamOptions options) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(options, "options");
        channel.config().setWriteBufferWaterMark(ChannelSetup.waterMark(options));
        StreamsChannelHandler handler = new StreamsChannelHandler(channel, options);
        channel.config().setAutoRead(true);
        channel.pipeline().addLast(handler);
        return handler.connection();
    }
}
