package dev.streams.netty.internal;

import dev.streams.BlockingClientHandler;
import dev.streams.ClientHandler;
import dev.streams.StreamServer;
import dev.streams.netty.Endpoint;
import dev.streams.netty.ServerOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The server side: binds an {@link Endpoint}'s sockets (or takes over one that is already bound) and serves each
 * accepted connection with the user's handler (on the event loop, or on a thread of its own for a blocking handler),
 * once the connection is ready.
 */
public final class ServerBinder {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(ServerBinder.class);

    private ServerBinder() {
    }

    /** Serves {@code where} with a handler that runs on the event loop; see {@code NettyStreams.startServer}. */
    public static CompletableFuture<StreamServer> start(ClientHandler handler, Endpoint where, ServerOptions options) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(options, "options");
        return bind(where, options, null, connection -> Handlers.runAsync(handler, connection));
    }

    /** Serves {@code where} with a blocking handler; see {@code NettyStreams.startBlockingServer}. */
    public static CompletableFuture<StreamServer> startBlocking(BlockingClientHandler handler, Endpoint where,
                                                                ServerOptions options) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(options, "options");
        BlockingExecutor executor = BlockingExecutor.create("streams-handler", options);
        return executor.announce(bind(where, options, executor,
                connection -> Handlers.runBlocking(handler, connection, executor)), options);
    }

    private static CompletableFuture<StreamServer> bind(Endpoint where, ServerOptions options,
                                                        Executor blockingExecutor,
                                                        Consumer<NettyStreamConnection> serve) {
        Tls.check(options.sslContext(), false);
        if (where instanceof Endpoint.Connected) {
            throw new IllegalArgumentException("a connected socket is for a connection, not a server: " + where);
        }
        if (where instanceof Endpoint.Listening) {
            return serveExisting(((Endpoint.Listening) where).channel(), options, blockingExecutor, serve);
        }
        EventLoopGroup group = Transport.groupOrDefault(options.eventLoopGroup(), options.transport());
        Transport transport = Transport.of(group);
        if (where instanceof Endpoint.Unix) {
            Path path = ((Endpoint.Unix) where).path();
            Class<? extends ServerChannel> channelType = transport.serverDomainChannel();
            SocketOptions.check(channelType, options.serverChannelOptions());
            SocketOptions.check(transport.domainChannel(), options.channelOptions());
            removeStaleSocket(path);
            NettyStreamServer server = new NettyStreamServer(blockingExecutor, options.startServing(), path);
            ServerBootstrap bootstrap = bootstrap(group, channelType, options, server, serve);
            CompletableFuture<StreamServer> result = new CompletableFuture<>();
            bindNext(bootstrap, List.of(transport.domainAddress(path)), 0, -1, server, result);
            return result;
        }
        Endpoint.Tcp tcp = (Endpoint.Tcp) where;
        List<InetSocketAddress> addresses = resolve(tcp.hosts(), tcp.port());
        if (options.reusePort() && transport == Transport.NIO) {
            throw new IllegalArgumentException("reusePort needs the epoll or io_uring transport, not NIO");
        }
        SocketOptions.check(transport.serverChannel(), options.serverChannelOptions());
        SocketOptions.check(transport.socketChannel(), options.channelOptions());
        NettyStreamServer server = new NettyStreamServer(blockingExecutor, options.startServing(), null);
        ServerBootstrap bootstrap = bootstrap(group, transport.serverChannel(), options, server, serve)
                .option(ChannelOption.SO_REUSEADDR, options.reuseAddress())
                .childOption(ChannelOption.TCP_NODELAY, true);
        if (options.reusePort()) {
            bootstrap.option(UnixChannelOption.SO_REUSEPORT, true);
        }
        CompletableFuture<StreamServer> result = new CompletableFuture<>();
        bindNext(bootstrap, addresses, 0, tcp.port(), server, result);
        return result;
    }

    /**
     * Takes over a bound JDK server socket channel: wraps it in Netty's NIO server channel of its family and
     * registers it with a NIO event loop, which accepts on it at once (or once serving starts).
     */
    private static CompletableFuture<StreamServer> serveExisting(ServerSocketChannel socket, ServerOptions options,
                                                                 Executor blockingExecutor,
                                                                 Consumer<NettyStreamConnection> serve) {
        EventLoopGroup group = Connector.nioGroup(options);
        SocketAddress local;
        try {
            local = socket.isOpen() ? socket.getLocalAddress() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the server socket channel " + socket, e);
        }
        if (local == null) {
            throw new IllegalArgumentException("the server socket channel is not bound (or closed): " + socket);
        }
        boolean unix = local instanceof UnixDomainSocketAddress;
        SocketOptions.check(unix ? NioServerDomainSocketChannel.class : NioServerSocketChannel.class,
                options.serverChannelOptions());
        SocketOptions.check(unix ? NioDomainSocketChannel.class : NioSocketChannel.class, options.channelOptions());
        ServerChannel channel = unix ? new NioServerDomainSocketChannel(socket) : new NioServerSocketChannel(socket);
        NettyStreamServer server = new NettyStreamServer(blockingExecutor, options.startServing(), null);
        ServerBootstrap bootstrap = bootstrap(group, () -> channel, options, server, serve);
        if (!unix) {
            bootstrap.childOption(ChannelOption.TCP_NODELAY, true);
        }
        CompletableFuture<StreamServer> result = new CompletableFuture<>();
        bootstrap.register().addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                server.addServerChannel(f.channel());
                result.complete(server);
            } else {
                server.close();
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    /** asyncio's rule: a socket file at the path (a dead server's) is removed; anything else is an error. */
    private static void removeStaleSocket(Path path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isOther()) {
                throw new IllegalArgumentException("cannot listen on " + path + ": a file that is not a socket is "
                        + "there");
            }
            Files.deleteIfExists(path);
        } catch (NoSuchFileException nothingThere) {
            // the usual case
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the stale socket " + path, e);
        }
    }

    private static ServerBootstrap bootstrap(EventLoopGroup group, Class<? extends ServerChannel> channelType,
                                             ServerOptions options, NettyStreamServer server,
                                             Consumer<NettyStreamConnection> serve) {
        return bootstrap(group, new ReflectiveChannelFactory<>(channelType), options, server, serve)
                .option(ChannelOption.SO_BACKLOG, options.backlog());
    }

    private static ServerBootstrap bootstrap(EventLoopGroup group,
                                             ChannelFactory<? extends ServerChannel> channelFactory,
                                             ServerOptions options, NettyStreamServer server,
                                             Consumer<NettyStreamConnection> serve) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channelFactory(channelFactory)
                .option(ChannelOption.AUTO_READ, options.startServing())
                .handler(server.serverChannelHandler(options.maxConnections()))
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, ChannelSetup.waterMark(options))
                .childHandler(ChannelSetup.initializer(options, null, -1, handler -> {
                    if (!server.track(handler)) {
                        return;
                    }
                    handler.ready().whenComplete((connection, failure) -> {
                        if (failure == null) {
                            serve.accept(connection);
                        } else {
                            // A failed TLS handshake closed the channel: nothing to serve, but say why.
                            LOG.debug("{}: connection ended before it was ready", handler.connection(), failure);
                        }
                    });
                }));
        for (Map.Entry<ChannelOption<?>, Object> option : options.serverChannelOptions().entrySet()) {
            setOption(bootstrap, option.getKey(), option.getValue()); // checked by SocketOptions.check
        }
        return bootstrap;
    }

    @SuppressWarnings("unchecked")
    private static void setOption(ServerBootstrap bootstrap, ChannelOption<?> option, Object value) {
        bootstrap.option((ChannelOption<Object>) option, value);
    }

    /**
     * Binds the addresses one after the other, so that port 0 becomes the first socket's port for the rest.
     *
     * @param port the port asked for (0: the first socket's); -1 for Unix sockets
     */
    private static void bindNext(ServerBootstrap bootstrap, List<? extends SocketAddress> addresses,
                                 int index, int port, NettyStreamServer server,
                                 CompletableFuture<StreamServer> result) {
        if (index == addresses.size()) {
            result.complete(server);
            return;
        }
        SocketAddress address = addresses.get(index);
        if (address instanceof InetSocketAddress && ((InetSocketAddress) address).getPort() == 0 && port > 0) {
            address = new InetSocketAddress(((InetSocketAddress) address).getAddress(), port);
        }
        SocketAddress target = address;
        bootstrap.bind(target).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                server.close();
                result.completeExceptionally(JdkExceptions.ofBind(f.cause(), target));
                return;
            }
            server.addServerChannel(f.channel());
            int bound = f.channel().localAddress() instanceof InetSocketAddress
                    ? ((InetSocketAddress) f.channel().localAddress()).getPort() : -1;
            bindNext(bootstrap, addresses, index + 1, bound, server, result);
        });
    }

    /** The addresses to bind; {@code null} is the wildcard (dual-stack). Resolves names on the calling thread. */
    private static List<InetSocketAddress> resolve(List<String> hosts, int port) {
        Set<InetSocketAddress> addresses = new LinkedHashSet<>();
        for (String host : hosts) {
            if (host == null) {
                addresses.add(new InetSocketAddress(port));
                continue;
            }
            try {
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    addresses.add(new InetSocketAddress(address, port));
                }
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("cannot resolve host to listen on: " + host, e);
            }
        }
        return new ArrayList<>(addresses);
    }
}
