package dev.streams.netty;

import dev.streams.BlockingClientHandler;
import dev.streams.ClientHandler;
import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.internal.BlockingExecutor;
import dev.streams.netty.internal.ByteBufStreamReader;
import dev.streams.netty.internal.Connector;
import dev.streams.netty.internal.ServerBinder;
import dev.streams.netty.internal.Transport;
import io.netty.channel.Channel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

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
 * <p>Where to connect or listen is a host and a port, or an {@link Endpoint}: several hosts on one port, a Unix
 * domain socket, or a socket that already exists (a connected {@code SocketChannel}, a bound
 * {@code ServerSocketChannel}, the one the process inherited). Connections run on the shared default event loop group
 * unless the options name one: native epoll where available, else NIO, with daemon threads, created on first use;
 * {@link #shutdownDefaultGroup()} stops it. Every connection has half-closure allowed (a peer's EOF leaves this side
 * able to write) and {@code TCP_NODELAY} on unless the options' {@code option(ChannelOption.TCP_NODELAY, false)} say
 * otherwise. Client connections may go through a SOCKS5 or HTTP proxy ({@link ConnectOptions.Builder#proxy}).
 * Futures returned here complete on an event loop.
 *
 * <p>Failures are the JDK's exception types on every transport, the transport's own exception as the cause: a server
 * that cannot bind fails with {@link java.net.BindException} ("Address already in use: 127.0.0.1:8888"), a refused
 * connect with {@link java.net.ConnectException}, and a connection reset by its peer fails reads, {@code drain()} and
 * {@code waitClosed()} with {@link java.net.SocketException} ("Connection reset"; "Broken pipe" when a write met it).
 */
public final class NettyStreams {

    private NettyStreams() {
    }

    // ------------------------------------------------------------------------------------------------- clients

    /**
     * {@link #openConnection(String, int, ConnectOptions)} with {@link ConnectOptions#DEFAULTS}.
     *
     * @param host the host to connect to: a name or an IP address
     * @param port the port, 0-65535
     * @return the connection; fails with the connect error
     * @throws NullPointerException     when {@code host} is null
     * @throws IllegalArgumentException when the port is outside 0-65535
     */
    public static CompletableFuture<StreamConnection> openConnection(String host, int port) {
        return openConnection(host, port, ConnectOptions.DEFAULTS);
    }

    /**
     * Connects to {@code host:port} (with TLS when the options carry a client {@code sslContext}: the future then
     * completes after the handshake; through a proxy when they carry one: the future completes once the tunnel is
     * up, and TLS runs inside it). The host is resolved once (IP literals at once, names off the calling thread);
     * its addresses are tried as RFC 8305 says with a {@code happyEyeballsDelay}, else one after another until one
     * connects. When all fail, the future fails with a {@link java.net.ConnectException} carrying each address's
     * failure as suppressed (or that one failure, for a single address). Cancelling the future abandons the
     * attempts and closes their channels (a connection made meanwhile is aborted).
     *
     * @param host    the host to connect to: a name or an IP address
     * @param port    the port, 0-65535
     * @param options the connection's options
     * @return the connection; fails with the connect error (an {@link java.io.IOException} such as
     *         {@link java.net.ConnectException}, {@code ConnectTimeoutException} or {@code SSLHandshakeException})
     * @throws NullPointerException     when {@code host} or {@code options} is null
     * @throws IllegalArgumentException when the port is outside 0-65535, the SSL context is a server one, or a socket
     *                                  option is unknown to the transport or its value refused (the message names
     *                                  the option)
     */
    public static CompletableFuture<StreamConnection> openConnection(String host, int port, ConnectOptions options) {
        Objects.requireNonNull(host, "host");
        return Connector.connect(Endpoint.tcp(host, port), options);
    }

    /**
     * Connects to {@code where}: a TCP endpoint with exactly one host (as
     * {@link #openConnection(String, int, ConnectOptions)}), a Unix domain socket (epoll or NIO; with TLS, set
     * {@link ConnectOptions.Builder#serverHostname} to the name to verify), or a socket that is already connected
     * ({@link Endpoint#of(java.nio.channels.SocketChannel)}, {@link Endpoint#inherited()}: taken over, on NIO). A
     * missing Unix socket fails the future with a {@link java.io.FileNotFoundException} that names the path.
     *
     * @param where   where to connect
     * @param options the connection's options
     * @return the connection; fails with the connect error
     * @throws NullPointerException     when {@code where} or {@code options} is null
     * @throws IllegalArgumentException when a TCP endpoint does not name exactly one host, the endpoint is a listening
     *                                  socket, an existing socket is not connected or the options name a group or
     *                                  transport that is not NIO for it, a proxy is given for an endpoint that is not
     *                                  TCP, a socket option is unknown to the transport or its value refused, or the
     *                                  SSL context is a server one
     */
    public static CompletableFuture<StreamConnection> openConnection(Endpoint where, ConnectOptions options) {
        return Connector.connect(where, options);
    }

    /**
     * Turns a channel that a Netty application already has into a stream connection: the stream handler is added at
     * the end of its pipeline (decoders and TLS in front of it keep working) and manages the channel's autoRead from
     * then on. Bytes the channel read before this call are not seen. Only {@code ByteBuf} messages reach the reader;
     * others pass on.
     *
     * @param channel the channel, registered with an event loop
     * @param options its limit, water marks (set on the channel's config), idle timeout, TLS timeouts (for STARTTLS)
     *                and wiretap (a logging handler in front of the stream handler) are used; its event loop group,
     *                transport, socket options and SSL context are ignored (add your own {@code SslHandler})
     * @return the connection over the channel
     * @throws NullPointerException when {@code channel} or {@code options} is null
     */
    public static StreamConnection attach(Channel channel, StreamOptions options) {
        return Connector.attach(channel, options);
    }

    /**
     * {@link #attach(Channel, StreamOptions)} with the default limit and water marks.
     *
     * @param channel the channel, registered with an event loop
     * @return the connection over the channel
     * @throws NullPointerException when {@code channel} is null
     */
    public static StreamConnection attach(Channel channel) {
        return attach(channel, ConnectOptions.DEFAULTS);
    }

    // ------------------------------------------------------------------------------------------------- servers

    /**
     * {@link #startServer(ClientHandler, String, int, ServerOptions)} with {@link ServerOptions#DEFAULTS}.
     *
     * @param handler called on the event loop for each connection
     * @param host    a name or address to listen on; {@code null} for every interface
     * @param port    the port; 0 picks a free one
     * @return the server, once every socket is bound; fails with the bind error
     * @throws NullPointerException     when {@code handler} is null
     * @throws IllegalArgumentException when the port is outside 0-65535 or the host cannot be resolved
     */
    public static CompletableFuture<StreamServer> startServer(ClientHandler handler, String host, int port) {
        return startServer(handler, host, port, ServerOptions.DEFAULTS);
    }

    /**
     * Listens on {@code host:port} and calls {@code handler} on the event loop for each connection (after the TLS
     * handshake when the options carry a server {@code sslContext}).
     *
     * @param handler called on the event loop for each connection
     * @param host    a name or address to listen on; {@code null} listens on every interface, IPv4 and IPv6 (one
     *                dual-stack socket). A name that resolves to several addresses gets a socket for each.
     * @param port    the port; 0 picks a free one (shared by all the server's sockets)
     * @param options the server's options
     * @return the server, once every socket is bound; fails with the bind error
     * @throws NullPointerException     when {@code handler} or {@code options} is null
     * @throws IllegalArgumentException when the port is outside 0-65535, the host cannot be resolved or the options
     *                                  do not suit the transport
     */
    public static CompletableFuture<StreamServer> startServer(ClientHandler handler, String host, int port,
                                                              ServerOptions options) {
        return startServer(handler, Endpoint.tcp(host, port), options);
    }

    /**
     * Listens on {@code where} — TCP hosts and a port (as {@link #startServer(ClientHandler, String, int,
     * ServerOptions)}, for each host), a Unix domain socket, or a socket that is already bound
     * ({@link Endpoint#of(java.nio.channels.ServerSocketChannel)}, {@link Endpoint#inherited()}: taken over, on NIO)
     * — and calls {@code handler} on the event loop for each connection. For a Unix socket, a stale socket file left
     * by a dead server is removed first, as asyncio does (any other file there fails the start), and the socket file
     * is removed when the server closes.
     *
     * @param handler called on the event loop for each connection
     * @param where   where to listen
     * @param options the server's options
     * @return the server, once every socket is bound; fails with the bind error
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when a host cannot be resolved, a file that is not a socket is at a Unix
     *                                  endpoint's path, the endpoint is a connected socket, an existing socket is not
     *                                  bound, or the options do not suit the transport (a socket option it does not
     *                                  know, {@code reusePort} on NIO, a group that is not NIO for an existing socket)
     */
    public static CompletableFuture<StreamServer> startServer(ClientHandler handler, Endpoint where,
                                                              ServerOptions options) {
        return ServerBinder.start(handler, where, options);
    }

    /**
     * {@link #startBlockingServer(BlockingClientHandler, String, int, ServerOptions)} with the defaults.
     *
     * @param handler run on a thread of its own for each connection
     * @param host    a name or address to listen on; {@code null} for every interface
     * @param port    the port; 0 picks a free one
     * @return the server, once every socket is bound; fails with the bind error
     * @throws NullPointerException     when {@code handler} is null
     * @throws IllegalArgumentException when the port is outside 0-65535 or the host cannot be resolved
     */
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
     * @param handler run on a thread of its own for each connection
     * @param host    a name or address to listen on; {@code null} for every interface
     * @param port    the port; 0 picks a free one
     * @param options the server's options
     * @return the server, once every socket is bound; fails with the bind error
     * @throws NullPointerException     when {@code handler} or {@code options} is null
     * @throws IllegalArgumentException when the port is outside 0-65535, the host cannot be resolved or the options
     *                                  do not suit the transport
     * @throws IllegalStateException    when the options ask for a {@link BlockingScheduler} not available in this JVM
     * @see #startServer(ClientHandler, String, int, ServerOptions)
     */
    public static CompletableFuture<StreamServer> startBlockingServer(BlockingClientHandler handler, String host,
                                                                      int port, ServerOptions options) {
        return startBlockingServer(handler, Endpoint.tcp(host, port), options);
    }

    /**
     * Like {@link #startServer(ClientHandler, Endpoint, ServerOptions)}, with a blocking handler that runs on a
     * thread of its own for each connection.
     *
     * @param handler run on a thread of its own for each connection
     * @param where   where to listen
     * @param options the server's options
     * @return the server, once every socket is bound; fails with the bind error
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException as {@link #startServer(ClientHandler, Endpoint, ServerOptions)}
     * @throws IllegalStateException    when the options ask for a {@link BlockingScheduler} not available in this JVM
     */
    public static CompletableFuture<StreamServer> startBlockingServer(BlockingClientHandler handler, Endpoint where,
                                                                      ServerOptions options) {
        return ServerBinder.startBlocking(handler, where, options);
    }

    // ------------------------------------------------------------------------------------------------- misc

    /**
     * A reader with no channel, fed by hand ({@code feedData}, {@code feedEof}, {@code setException}): for tests and
     * for parsing bytes from memory.
     *
     * @param limit the reader's limit, in bytes
     * @return a new reader
     * @throws IllegalArgumentException when {@code limit <= 0}
     */
    public static FeedableStreamReader newReader(int limit) {
        return new ByteBufStreamReader.Standalone(limit);
    }

    /**
     * {@link #newReader(int)} with the default limit, 65,536 bytes.
     *
     * @return a new reader
     */
    public static FeedableStreamReader newReader() {
        return newReader(StreamOptions.DEFAULT_LIMIT);
    }

    /**
     * Shuts down the shared default event loop group, closing the connections and servers on it; the next use creates
     * a new one. Its threads are daemons, so a JVM may also simply exit.
     *
     * @return completes once the group's threads have ended
     */
    public static CompletableFuture<Void> shutdownDefaultGroup() {
        return Transport.shutdownDefaultGroups();
    }

    /**
     * Whether blocking handlers run on virtual threads (Java 21+).
     *
     * @return true on a JVM with virtual threads
     */
    public static boolean virtualThreads() {
        return BlockingExecutor.virtualThreads();
    }
}
