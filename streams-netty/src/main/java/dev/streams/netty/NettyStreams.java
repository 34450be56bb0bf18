package dev.streams.netty;

import dev.streams.BlockingClientHandler;
import dev.streams.ClientHandler;
import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.internal.BlockingExecutor;
import dev.streams.netty.internal.ByteBufStreamReader;
import dev.streams.netty.internal.Handlers;
import dev.streams.netty.internal.NettyStreamConnection;
import dev.streams.netty.internal.NettyStreamServer;
import dev.streams.netty.internal.StreamsChannelHandler;
import dev.streams.netty.internal.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The entry point: asyncio's {@code open_connection} and {@code start_server} on Netty.
 *
 * <pre>{@code
 * StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
 *     byte[] line = await(reader.readLine());
 *     writer.write(line);
 *     await(writer.drain());
 * }, "127.0.0.1", 0));
 *
 * StreamConnection conn = await(NettyStreams.openConnection("127.0.0.1", port));
 * }</pre>
 *
 * <p>Connections run on the shared default event loop group unless the options name one: native epoll where
 * available, else NIO, with daemon threads, created on first use; {@link #shutdownDefaultGroup()} stops it. Every
 * connection has {@code TCP_NODELAY} on and half-closure allowed (a peer's EOF leaves this side able to write).
 * Futures returned here complete on an event loop.
 */
public final class NettyStreams {

    private NettyStreams() {
    }

    // ------------------------------------------------------------------------------------------------- clients

    /** {@link #openConnection(String, int, ConnectOptions)} with {@link ConnectOptions#DEFAULTS}. */
    public static CompletableFuture<StreamConnection> openConnection(String host, int port) {
        return openConnection(host, port, ConnectOptions.DEFAULTS);
    }

    /**
     * Connects to {@code host:port}. Cancelling the future abandons the attempt and closes its channel.
     *
     * @throws NullPointerException     when {@code host} or {@code options} is null
     * @throws IllegalArgumentException when the port is outside 0-65535
     * @return the connection; fails with the connect error (an {@link java.io.IOException} such as
     *         {@link java.net.ConnectException} or {@code ConnectTimeoutException})
     */
    public static CompletableFuture<StreamConnection> openConnection(String host, int port, ConnectOptions options) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(options, "options");
        checkPort(port);
        EventLoopGroup group = Transport.groupOrDefault(options.eventLoopGroup());
        CompletableFuture<StreamConnection> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(Transport.of(group).socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(options))
                .handler(initializer(options, result::complete));
        if (options.localAddress() != null) {
            bootstrap.localAddress(options.localAddress());
        }
        ChannelFuture connect = bootstrap.connect(InetSocketAddress.createUnresolved(host, port));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
            }
        });
        result.whenComplete((connection, failure) -> {
            if (result.isCancelled()) {
                connect.channel().close();
            }
        });
        return result;
    }

    /**
     * Turns a channel that a Netty application already has into a stream connection: the stream handler is added at
     * the end of its pipeline (decoders and TLS in front of it keep working) and manages the channel's autoRead from
     * then on. Bytes the channel read before this call are not seen. Only {@code ByteBuf} messages reach the reader;
     * others pass on.
     *
     * @param options its limit and water marks are applied (the water marks on the channel's config); its event loop
     *                group is ignored
     */
    public static StreamConnection attach(Channel channel, StreamOptions options) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(options, "options");
        channel.config().setWriteBufferWaterMark(waterMark(options));
        StreamsChannelHandler handler = new StreamsChannelHandler(channel, options.limit(), connection -> { });
        channel.config().setAutoRead(true);
        channel.pipeline().addLast(handler);
        return handler.connection();
    }

    /** {@link #attach(Channel, StreamOptions)} with the default limit and water marks. */
    public static StreamConnection attach(Channel channel) {
        return attach(channel, ConnectOptions.DEFAULTS);
    }

    // ------------------------------------------------------------------------------------------------- servers

    /** {@link #startServer(ClientHandler, String, int, ServerOptions)} with {@link ServerOptions#DEFAULTS}. */
    public static CompletableFuture<StreamServer> startServer(ClientHandler handler, String host, int port) {
        return startServer(handler, host, port, ServerOptions.DEFAULTS);
    }

    /**
     * Listens on {@code host:port} and calls {@code handler} on the event loop for each connection.
     *
     * @param host a name or address to listen on; {@code null} listens on every interface, IPv4 and IPv6 (one
     *             dual-stack socket). A name that resolves to several addresses gets a socket for each.
     * @param port the port; 0 picks a free one (shared by all the server's sockets)
     * @return the server, once every socket is bound; fails with the bind error
     */
    public static CompletableFuture<StreamServer> startServer(ClientHandler handler, String host, int port,
                                                              ServerOptions options) {
        Objects.requireNonNull(handler, "handler");
        return bind(hostList(host), port, options, null, connection -> Handlers.runAsync(handler, connection));
    }

    /** {@link #startBlockingServer(BlockingClientHandler, String, int, ServerOptions)} with the defaults. */
    public static CompletableFuture<StreamServer> startBlockingServer(BlockingClientHandler handler, String host,
                                                                      int port) {
        return startBlockingServer(handler, host, port, ServerOptions.DEFAULTS);
    }

    /**
     * Listens on {@code host:port} and runs {@code handler} for each connection on a thread of its own: a virtual
     * thread on Java 21+, else one of {@link ServerOptions#blockingThreads()} platform threads.
     *
     * @see #startServer(ClientHandler, String, int, ServerOptions)
     */
    public static CompletableFuture<StreamServer> startBlockingServer(BlockingClientHandler handler, String host,
                                                                      int port, ServerOptions options) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        Executor executor = BlockingExecutor.create("streams-handler", options.blockingThreads());
        return bind(hostList(host), port, options, executor,
                connection -> Handlers.runBlocking(handler, connection, executor));
    }

    private static CompletableFuture<StreamServer> bind(List<String> hosts, int port, ServerOptions options,
                                                        Executor blockingExecutor,
                                                        Consumer<NettyStreamConnection> serve) {
        Objects.requireNonNull(hosts, "hosts");
        Objects.requireNonNull(options, "options");
        checkPort(port);
        List<InetSocketAddress> addresses = resolve(hosts, port);
        EventLoopGroup group = Transport.groupOrDefault(options.eventLoopGroup());
        Transport transport = Transport.of(group);
        if (options.reusePort() && transport != Transport.EPOLL) {
            throw new IllegalArgumentException("reusePort needs the epoll transport, not " + transport);
        }
        NettyStreamServer server = new NettyStreamServer(blockingExecutor, options.startServing());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, options.backlog())
                .option(ChannelOption.SO_REUSEADDR, options.reuseAddress())
                .option(ChannelOption.AUTO_READ, options.startServing())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(options))
                .childHandler(initializer(options, connection -> {
                    server.track(connection);
                    serve.accept(connection);
                }));
        if (options.reusePort()) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        CompletableFuture<StreamServer> result = new CompletableFuture<>();
        bindNext(bootstrap, addresses, 0, port, server, result);
        return result;
    }

    /** Binds the addresses one after the other, so that port 0 becomes the first socket's port for the rest. */
    private static void bindNext(ServerBootstrap bootstrap, List<InetSocketAddress> addresses, int index, int port,
                                 NettyStreamServer server, CompletableFuture<StreamServer> result) {
        if (index == addresses.size()) {
            result.complete(server);
            return;
        }
        InetSocketAddress address = addresses.get(index);
        if (address.getPort() == 0 && port != 0) {
            address = new InetSocketAddress(address.getAddress(), port);
        }
        bootstrap.bind(address).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                server.close();
                result.completeExceptionally(f.cause());
                return;
            }
            server.addServerChannel(f.channel());
            int bound = ((InetSocketAddress) f.channel().localAddress()).getPort();
            bindNext(bootstrap, addresses, index + 1, bound, server, result);
        });
    }

    private static List<String> hostList(String host) {
        List<String> hosts = new ArrayList<>(1);
        hosts.add(host);
        return hosts;
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
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no host to listen on: " + hosts);
        }
        return new ArrayList<>(addresses);
    }

    private static ChannelInitializer<Channel> initializer(StreamOptions options,
                                                           Consumer<NettyStreamConnection> onActive) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast(new StreamsChannelHandler(channel, options.limit(), onActive));
            }
        };
    }

    private static WriteBufferWaterMark waterMark(StreamOptions options) {
        return new WriteBufferWaterMark(options.lowWaterMark(), options.highWaterMark());
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port not in 0-65535: " + port);
        }
    }

    // ------------------------------------------------------------------------------------------------- misc

    /**
     * A reader with no channel, fed by hand ({@code feedData}, {@code feedEof}, {@code setException}): for tests and
     * for parsing bytes from memory.
     *
     * @throws IllegalArgumentException when {@code limit <= 0}
     */
    public static FeedableStreamReader newReader(int limit) {
        return new ByteBufStreamReader(limit);
    }

    /** {@link #newReader(int)} with the default limit, 65,536 bytes. */
    public static FeedableStreamReader newReader() {
        return newReader(StreamOptions.DEFAULT_LIMIT);
    }

    /**
     * Shuts down the shared default event loop group, closing the connections and servers on it; the next use creates
     * a new one. Its threads are daemons, so a JVM may also simply exit.
     */
    public static CompletableFuture<Void> shutdownDefaultGroup() {
        return Transport.shutdownDefaultGroup();
    }

    /** True when blocking handlers run on virtual threads (Java 21+). */
    public static boolean virtualThreads() {
        return BlockingExecutor.virtualThreads();
    }
}
