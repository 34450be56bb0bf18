package dev.streams.netty.internal;

import dev.streams.StreamConnection;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.Endpoint;
import dev.streams.netty.ProxyOptions;
import dev.streams.netty.StreamOptions;
import dev.streams.netty.TransportType;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The client side: connects to an {@link Endpoint} (resolution, connection racing, a proxy's tunnel, TLS readiness),
 * takes over sockets that are already connected, and attaches streams to channels an application already has.
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
        if (options.proxy() != null && !(where instanceof Endpoint.Tcp)) {
            throw new IllegalArgumentException("a proxy applies to TCP endpoints only, not to " + where);
        }
        if (where instanceof Endpoint.Unix) {
            return connectUnix(((Endpoint.Unix) where).path(), options);
        }
        if (where instanceof Endpoint.Connected) {
            return connectExisting(((Endpoint.Connected) where).channel(), options);
        }
        if (where instanceof Endpoint.Listening) {
            throw new IllegalArgumentException("a listening socket is for a server, not a connection: " + where);
        }
        Endpoint.Tcp tcp = (Endpoint.Tcp) where;
        if (tcp.hosts().size() != 1 || tcp.hosts().get(0) == null) {
            throw new IllegalArgumentException("a connection needs exactly one host: " + tcp.hosts());
        }
        return connectTcp(tcp.hosts().get(0), tcp.port(), options);
    }

    /**
     * Without a proxy: races the host's addresses. With one: races the proxy's addresses, each attempt asking the
     * proxy for {@code host:port} (the name unresolved); the first tunnel's channel is the connection.
     */
    private static CompletableFuture<StreamConnection> connectTcp(String host, int port, ConnectOptions options) {
        EventLoopGroup group = Transport.groupOrDefault(options.eventLoopGroup(), options.transport());
        Class<? extends Channel> channelType = Transport.of(group).socketChannel();
        SocketOptions.check(channelType, options.channelOptions());
        String tlsHost = options.serverHostname() != null ? options.serverHostname() : host;
        ProxyOptions proxy = options.proxy();
        Function<InetSocketAddress, ChannelFuture> connector;
        String resolveHost;
        int resolvePort;
        if (proxy == null) {
            Bootstrap bootstrap = bootstrap(group, channelType, options, tlsHost, port, null)
                    .option(ChannelOption.TCP_NODELAY, true);
            connector = bootstrap::connect;
            resolveHost = host;
            resolvePort = port;
        } else {
            InetSocketAddress target = Proxies.target(host, port);
            long timeoutMillis = options.connectTimeout().toMillis();
            connector = proxyAddress -> bootstrap(group, channelType, options, tlsHost, port,
                    channel -> Proxies.addHandler(channel, proxy, proxyAddress, timeoutMillis))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .resolver(NoopAddressResolverGroup.INSTANCE) // the proxy resolves the target's name
                    .connect(target);
            resolveHost = proxy.host();
            resolvePort = proxy.port();
        }
        CompletableFuture<StreamConnection> result = new CompletableFuture<>();
        AtomicReference<CompletableFuture<Channel>> race = new AtomicReference<>();
        resolve(resolveHost, resolvePort).thenCompose(addresses -> {
            race.set(HappyEyeballs.connect(addresses, options.happyEyeballsDelay(), options.interleave(),
                    connector, group.next()));
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
        SocketOptions.check(transport.domainChannel(), options.channelOptions());
        Bootstrap bootstrap = bootstrap(group, transport.domainChannel(), options, options.serverHostname(), -1,
                null);
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

    /**
     * Takes over a connected JDK socket channel: wraps it in Netty's NIO channel of its family, sets it up as a
     * connection made here would be, and registers it with a NIO event loop.
     */
    private static CompletableFuture<StreamConnection> connectExisting(SocketChannel socket, ConnectOptions options) {
        EventLoopGroup group = nioGroup(options);
        SocketAddress remote;
        try {
            if (!socket.isOpen() || !socket.isConnected()) {
                throw new IllegalArgumentException("the socket channel is not connected: " + socket);
            }
            remote = socket.getRemoteAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the socket channel " + socket, e);
        }
        boolean unix = remote instanceof UnixDomainSocketAddress;
        SocketOptions.check(unix ? NioDomainSocketChannel.class : NioSocketChannel.class, options.channelOptions());
        Channel channel = unix ? new NioDomainSocketChannel(socket) : new NioSocketChannel(socket);
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        channel.config().setWriteBufferWaterMark(ChannelSetup.waterMark(options));
        if (!unix) {
            channel.config().setOption(ChannelOption.TCP_NODELAY, true);
        }
        InetSocketAddress inet = unix ? null : (InetSocketAddress) remote;
        String tlsHost = options.serverHostname() != null ? options.serverHostname()
                : inet != null ? inet.getAddress().getHostAddress() : null;
        channel.pipeline().addLast(ChannelSetup.initializer(options, tlsHost, inet != null ? inet.getPort() : -1,
                handler -> channel.attr(HANDLER).set(handler)));
        CompletableFuture<StreamConnection> result = new CompletableFuture<>();
        group.register(channel).addListener(f -> {
            if (f.isSuccess()) {
                whenReady(channel, result);
            } else {
                channel.unsafe().closeForcibly();
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    /**
     * The NIO group an existing JDK channel runs on: the options' group, which must be a NIO one, or the default NIO
     * group.
     *
     * @throws IllegalArgumentException when the options name an epoll or io_uring group or transport
     */
    static EventLoopGroup nioGroup(StreamOptions options) {
        EventLoopGroup group = options.eventLoopGroup();
        if (group != null) {
            if (Transport.of(group) != Transport.NIO) {
                throw new IllegalArgumentException("an existing java.nio channel runs on NIO: the options' event loop "
                        + "group is " + Transport.of(group) + ", give a NIO group or none");
            }
            return group;
        }
        if (options.transport() != TransportType.AUTO && options.transport() != TransportType.NIO) {
            throw new IllegalArgumentException("an existing java.nio channel runs on NIO, not on the transport asked "
                    + "for: " + options.transport());
        }
        return Transport.groupOrDefault(null, TransportType.NIO);
    }

    private static Bootstrap bootstrap(EventLoopGroup group, Class<? extends Channel> channelType,
                                       ConnectOptions options, String tlsHost, int port, Consumer<Channel> front) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, ChannelSetup.waterMark(options))
                .handler(ChannelSetup.initializer(options, tlsHost, port, front,
                        handler -> handler.connection().writer().channel().attr(HANDLER).set(handler)));
        if (options.localAddress() != null) {
            bootstrap.localAddress(options.localAddress());
        }
        return bootstrap;
    }

    /**
     * Completes {@code result} with the channel's connection once it is ready (a proxy's tunnel up, then TLS done);
     * closes it if cancelled.
     */
    private static void whenReady(Channel channel, CompletableFuture<StreamConnection> result) {
        // From the channel's attribute, not the pipeline: a channel that failed (a TLS handshake) before the race
        // handed it over has its handlers removed already, and its handler holds the reason.
        StreamsChannelHandler handler = channel.attr(HANDLER).get();
        if (handler == null) {
            result.completeExceptionally(new ClosedChannelException());
            return;
        }
        result.whenComplete((connection, error) -> {
            if (result.isCancelled()) {
                channel.close(); // cancelled while the tunnel or the handshake was under way: do not wait for them
            }
        });
        // The proxy's failure is the cause to report (the stream handler only sees the channel close after it).
        Proxies.tunnel(channel).thenCompose(up -> handler.ready()).whenComplete((connection, error) -> {
            error = unwrap(error);
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
        ChannelSetup.addWiretap(channel.pipeline(), options);
        channel.pipeline().addLast(handler);
        return handler.connection();
    }
}
