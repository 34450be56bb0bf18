package dev.streams.netty;

import dev.streams.BlockingClientHandler;
import dev.streams.ClientHandler;
import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.internal.BlockingExecutor;
import dev.streams.netty.internal.ByteBufStreamReader;
import dev.streams.netty.internal.Handlers;
import dev.streams.netty.internal.HappyEyeballs;
import dev.streams.netty.internal.NettyStreamConnection;
import dev.streams.netty.internal.NettyStreamServer;
import dev.streams.netty.internal.StreamsChannelHandler;
import dev.streams.netty.internal.Tls;
import dev.streams.netty.internal.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
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

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(NettyStreams.class);

    /** Each connection's stream handler, kept on its channel (see {@link #whenReady}). */
    private static final AttributeKey<StreamsChannelHandler> HANDLER = AttributeKey.valueOf("dev.streams.handler");

    private NettyStreams() {
    }

    // ------------------------------------------------------------------------------------------------- clients

    /** {@link #openConnection(String, int, ConnectOptions)} with {@link ConnectOptions#DEFAULTS}. */
    public static CompletableFuture<StreamConnection> openConnection(String host, int port) {
        return openConnection(host, port, ConnectOptions.DEFAULTS);
    }

    /**
     * Connects to {@code host:port} (with TLS when the options carry a client {@code sslContext}: the future then
     * completes after the handshake). The host is resolved once (IP literals at once, names off the calling thread);
     * its addresses are tried as RFC 8305 says with a {@code happyEyeballsDelay}, else one after another until one
     * connects. When all fail, the future fails with a {@link java.net.ConnectException} carrying each address's
     * failure as suppressed (or that one failure, for a single address). Cancelling the future abandons the
     * attempts and closes their channels (a connection made meanwhile is aborted).
     *
     * @throws NullPointerException     when {@code host} or {@code options} is null
     * @throws IllegalArgumentException when the port is outside 0-65535, or the SSL context is a server one
     * @return the connection; fails with the connect error (an {@link java.io.IOException} such as
     *         {@link java.net.ConnectException}, {@code ConnectTimeoutException} or {@code SSLHandshakeException})
     */
    public static CompletableFuture<StreamConnection> openConnection(String host, int port, ConnectOptions options) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(options, "options");
        checkPort(port);
        Tls.check(options.sslContext(), true);
        EventLoopGroup group = Transport.groupOrDefault(options.eventLoopGroup(), options.transport());
        String tlsHost = options.serverHostname() != null ? options.serverHostname() : host;
        Bootstrap bootstrap = clientBootstrap(group, Transport.of(group).socketChannel(), options, tlsHost, port)
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

    /** {@link #openUnixConnection(Path, ConnectOptions)} with {@link ConnectOptions#DEFAULTS}. */
    public static CompletableFuture<StreamConnection> openUnixConnection(Path path) {
        return openUnixConnection(path, ConnectOptions.DEFAULTS);
    }

    /**
     * Connects to the Unix domain socket at {@code path} (epoll or NIO). With TLS, set
     * {@link ConnectOptions.Builder#serverHostname} to the name to verify.
     */
    public static CompletableFuture<StreamConnection> openUnixConnection(Path path, ConnectOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        Tls.check(options.sslContext(), true);
        EventLoopGroup group = Transport.groupOrDefault(options.eventLoopGroup(), options.transport());
        Transport transport = Transport.of(group);
        Bootstrap bootstrap = clientBootstrap(group, transport.domainChannel(), options, options.serverHostname(), -1);
        CompletableFuture<StreamConnection> result = new CompletableFuture<>();
        connect(bootstrap, transport.domainAddress(path)).whenComplete((connection, failure) -> {
            if (failure == null) {
                result.complete(connection);
            } else if (failure instanceof FileNotFoundException) {
                // The transports say only "FileNotFoundException" (no message): name the path.
                FileNotFoundException named = new FileNotFoundException("no socket at " + path);
                named.initCause(failure);
                result.completeExceptionally(named);
            } else {
                result.completeExceptionally(failure);
            }
        });
        return result;
    }

    private static Bootstrap clientBootstrap(EventLoopGroup group, Class<? extends Channel> channelType,
                                             ConnectOptions options, String tlsHost, int port) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(options))
                .handler(initializer(options, tlsHost, port, null));
        if (options.localAddress() != null) {
            bootstrap.localAddress(options.localAddress());
        }
        return bootstrap;
    }

    private static CompletableFuture<StreamConnection> connect(Bootstrap bootstrap, SocketAddress address) {
        CompletableFuture<StreamConnection> result = new CompletableFuture<>();
        ChannelFuture connect = bootstrap.connect(address);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
            } else {
                whenReady(connect.channel(), result);
            }
        });
        return result;
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

    /**
     * Turns a channel that a Netty application already has into a stream connection: the stream handler is added at
     * the end of its pipeline (decoders and TLS in front of it keep working) and manages the channel's autoRead from
     * then on. Bytes the channel read before this call are not seen. Only {@code ByteBuf} messages reach the reader;
     * others pass on.
     *
     * @param options its limit, water marks (set on the channel's config) and TLS timeouts (for STARTTLS) are used;
     *                its event loop group, transport and SSL context are ignored (add your own {@code SslHandler})
     */
    public static StreamConnection attach(Channel channel, StreamOptions options) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(options, "options");
        channel.config().setWriteBufferWaterMark(waterMark(options));
        StreamsChannelHandler handler = new StreamsChannelHandler(channel, options);
        channel.config().setAutoRead(true);
        channel.pipeline().addLast(handler);
        return handler.connection();
    }

    /** {@link #attach(Channel, StreamOptions)} with the default limit and water marks. */
    public static StreamConnection attach(Channel channel) {
        return attach(channel, ConnectOptions.DEFAULTS);
    }

    /**
     * STARTTLS on a connection of this library: {@code ((NettyStreamWriter) writer).startTls(...)}.
     *
     * @throws IllegalArgumentException when {@code writer} is not one of this library's
     * @see NettyStreamWriter#startTls
     */
    public static CompletableFuture<Void> startTls(StreamWriter writer, SslContext sslContext, String serverHostname) {
        Objects.requireNonNull(writer, "writer");
        if (!(writer instanceof NettyStreamWriter)) {
            throw new IllegalArgumentException("not a writer of this library: " + writer);
        }
        return ((NettyStreamWriter) writer).startTls(sslContext, serverHostname);
    }

    // ------------------------------------------------------------------------------------------------- servers

    /** {@link #startServer(ClientHandler, String, int, ServerOptions)} with {@link ServerOptions#DEFAULTS}. */
    public static CompletableFuture<StreamServer> startServer(ClientHandler handler, String host, int port) {
        return startServer(handler, host, port, ServerOptions.DEFAULTS);
    }

    /**
     * Listens on {@code host:port} and calls {@code handler} on the event loop for each connection (after the TLS
     * handshake when the options carry a server {@code sslContext}).
     *
     * @param host a name or address to listen on; {@code null} listens on every interface, IPv4 and IPv6 (one
     *             dual-stack socket). A name that resolves to several addresses gets a socket for each.
     * @param port the port; 0 picks a free one (shared by all the server's sockets)
     * @return the server, once every socket is bound; fails with the bind error
     */
    public static CompletableFuture<StreamServer> startServer(ClientHandler handler, String host, int port,
                                                              ServerOptions options) {
        Objects.requireNonNull(handler, "handler");
        return bindTcp(hostList(host), port, options, null, connection -> Handlers.runAsync(handler, connection));
    }

    /**
     * Listens on each of several hosts (asyncio's {@code host} given as a sequence), all on one port: with port 0 the
     * first socket's port is used for the rest. The hosts come last (a list of hosts in the place of {@code host}
     * would make {@code startServer(handler, null, port, options)} ambiguous).
     *
     * @param hosts names or addresses; a {@code null} element is the dual-stack wildcard
     * @throws IllegalArgumentException when no host is given
     * @see #startServer(ClientHandler, String, int, ServerOptions)
     */
    public static CompletableFuture<StreamServer> startServer(ClientHandler handler, int port, ServerOptions options,
                                                              String... hosts) {
        Objects.requireNonNull(handler, "handler");
        return bindTcp(hostList(hosts), port, options, null, connection -> Handlers.runAsync(handler, connection));
    }

    /** Like {@link #startServer(ClientHandler, int, ServerOptions, String...)}, with a blocking handler. */
    public static CompletableFuture<StreamServer> startBlockingServer(BlockingClientHandler handler, int port,
                                                                      ServerOptions options, String... hosts) {
        return blockingTcp(handler, hostList(hosts), port, options);
    }

    /** {@link #startBlockingServer(BlockingClientHandler, String, int, ServerOptions)} with the defaults. */
    public static CompletableFuture<StreamServer> startBlockingServer(BlockingClientHandler handler, String host,
                                                                      int port) {
        return startBlockingServer(handler, host, port, ServerOptions.DEFAULTS);
    }

    /**
     * Listens on {@code host:port} and runs {@code handler} for each connection on a thread of its own, carried as
     * {@link ServerOptions#blockingScheduler()} says: by default a virtual thread on the connection's event loop
     * (Java 24+ with {@code java.base/java.lang} opened), else on the JDK's scheduler (Java 21+), else one of
     * {@link ServerOptions#blockingThreads()} platform threads.
     *
     * @throws IllegalStateException when the options ask for a {@link BlockingScheduler} not available in this JVM
     *
     * @see #startServer(ClientHandler, String, int, ServerOptions)
     */
    public static CompletableFuture<StreamServer> startBlockingServer(BlockingClientHandler handler, String host,
                                                                      int port, ServerOptions options) {
        return blockingTcp(handler, hostList(host), port, options);
    }

    private static CompletableFuture<StreamServer> blockingTcp(BlockingClientHandler handler, List<String> hosts,
                                                               int port, ServerOptions options) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        BlockingExecutor executor = BlockingExecutor.create("streams-handler", options);
        return executor.announce(bindTcp(hosts, port, options, executor,
                connection -> Handlers.runBlocking(handler, connection, executor)), options);
    }

    /** {@link #startUnixServer(ClientHandler, Path, ServerOptions)} with {@link ServerOptions#DEFAULTS}. */
    public static CompletableFuture<StreamServer> startUnixServer(ClientHandler handler, Path path) {
        return startUnixServer(handler, path, ServerOptions.DEFAULTS);
    }

    /**
     * Listens on the Unix domain socket {@code path} (epoll or NIO) and calls {@code handler} on the event loop for
     * each connection. A stale socket file left by a dead server is removed first, as asyncio does; any other file
     * there fails the start. The socket file is removed when the server closes.
     */
    public static CompletableFuture<StreamServer> startUnixServer(ClientHandler handler, Path path,
                                                                  ServerOptions options) {
        Objects.requireNonNull(handler, "handler");
        return bindUnix(path, options, null, connection -> Handlers.runAsync(handler, connection));
    }

    /** {@link #startBlockingUnixServer(BlockingClientHandler, Path, ServerOptions)} with the defaults. */
    public static CompletableFuture<StreamServer> startBlockingUnixServer(BlockingClientHandler handler, Path path) {
        return startBlockingUnixServer(handler, path, ServerOptions.DEFAULTS);
    }

    /** Like {@link #startUnixServer(ClientHandler, Path, ServerOptions)}, with a blocking handler. */
    public static CompletableFuture<StreamServer> startBlockingUnixServer(BlockingClientHandler handler, Path path,
                                                                          ServerOptions options) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        BlockingExecutor executor = BlockingExecutor.create("streams-handler", options);
        return executor.announce(bindUnix(path, options, executor,
                connection -> Handlers.runBlocking(handler, connection, executor)), options);
    }

    private static CompletableFuture<StreamServer> bindTcp(List<String> hosts, int port, ServerOptions options,
                                                           Executor blockingExecutor,
                                                           Consumer<NettyStreamConnection> serve) {
        Objects.requireNonNull(options, "options");
        checkPort(port);
        List<InetSocketAddress> addresses = resolve(hosts, port);
        EventLoopGroup group = Transport.groupOrDefault(options.eventLoopGroup(), options.transport());
        Transport transport = Transport.of(group);
        if (options.reusePort() && transport == Transport.NIO) {
            throw new IllegalArgumentException("reusePort needs the epoll or io_uring transport, not NIO");
        }
        NettyStreamServer server = new NettyStreamServer(blockingExecutor, options.startServing(), null);
        ServerBootstrap bootstrap = serverBootstrap(group, transport.serverChannel(), options, server, serve)
                .option(ChannelOption.SO_REUSEADDR, options.reuseAddress())
                .childOption(ChannelOption.TCP_NODELAY, true);
        if (options.reusePort()) {
            bootstrap.option(UnixChannelOption.SO_REUSEPORT, true);
        }
        CompletableFuture<StreamServer> result = new CompletableFuture<>();
        bindNext(bootstrap, addresses, 0, port, server, result);
        return result;
    }

    private static CompletableFuture<StreamServer> bindUnix(Path path, ServerOptions options,
                                                            Executor blockingExecutor,
                                                            Consumer<NettyStreamConnection> serve) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        EventLoopGroup group = Transport.groupOrDefault(options.eventLoopGroup(), options.transport());
        Transport transport = Transport.of(group);
        Class<? extends ServerChannel> channelType = transport.serverDomainChannel();
        removeStaleSocket(path);
        NettyStreamServer server = new NettyStreamServer(blockingExecutor, options.startServing(), path);
        ServerBootstrap bootstrap = serverBootstrap(group, channelType, options, server, serve);
        CompletableFuture<StreamServer> result = new CompletableFuture<>();
        bootstrap.bind(transport.domainAddress(path)).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                server.close();
                result.completeExceptionally(f.cause());
                return;
            }
            server.addServerChannel(f.channel());
            result.complete(server);
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

    private static ServerBootstrap serverBootstrap(EventLoopGroup group, Class<? extends ServerChannel> channelType,
                                                   ServerOptions options, NettyStreamServer server,
                                                   Consumer<NettyStreamConnection> serve) {
        Tls.check(options.sslContext(), false);
        return new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, options.backlog())
                .option(ChannelOption.AUTO_READ, options.startServing())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(options))
                .childHandler(initializer(options, null, -1, handler -> {
                    server.track(handler.connection());
                    handler.ready().whenComplete((connection, failure) -> {
                        if (failure == null) {
                            serve.accept(connection);
                        } else {
                            // A failed TLS handshake closed the channel: nothing to serve, but say why.
                            LOG.debug("{}: connection ended before it was ready", handler.connection(), failure);
                        }
                    });
                }));
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

    private static List<String> hostList(String... hosts) {
        Objects.requireNonNull(hosts, "hosts");
        if (hosts.length == 0) {
            throw new IllegalArgumentException("no host to listen on: []");
        }
        return Arrays.asList(hosts);
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
        return new ArrayList<>(addresses);
    }

    /**
     * The pipeline of every connection: TLS (when the options have a context) in front of the stream handler.
     *
     * @param tlsHost for a client: the name to send in SNI and verify
     * @param onInit  for a server: told of each new handler (before it is ready); null for a client
     */
    private static ChannelInitializer<Channel> initializer(StreamOptions options, String tlsHost, int port,
                                                           Consumer<StreamsChannelHandler> onInit) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                if (options.sslContext() != null) {
                    channel.pipeline().addLast(Tls.newHandler(options.sslContext(), channel.alloc(), tlsHost, port,
                            options));
                }
                StreamsChannelHandler handler = new StreamsChannelHandler(channel, options);
                channel.pipeline().addLast(handler);
                if (onInit != null) {
                    onInit.accept(handler);
                } else {
                    channel.attr(HANDLER).set(handler); // for whenReady; server connections do without (memory)
                }
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
        return Transport.shutdownDefaultGroups();
    }

    /** True when blocking handlers run on virtual threads (Java 21+). */
    public static boolean virtualThreads() {
        return BlockingExecutor.virtualThreads();
    }
}
