package dev.streams.netty;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Where a connection goes or a server listens: a TCP host and port, several TCP hosts on one port (servers), a
 * Unix domain socket, or a socket that already exists (asyncio's {@code sock=}): a connected
 * {@link SocketChannel}, a bound {@link ServerSocketChannel}, or the one this process inherited (socket activation).
 * One value instead of an overload per kind of address:
 *
 * <pre>{@code
 * NettyStreams.openConnection(Endpoint.unix(Path.of("/tmp/echo.sock")), ConnectOptions.DEFAULTS);
 * NettyStreams.startServer(handler, Endpoint.tcp(8888, "127.0.0.1", "::1"), ServerOptions.DEFAULTS);
 * }</pre>
 *
 * <p>Plain {@code host, port} arguments ({@code openConnection(host, port)}, {@code startServer(handler, host, port)})
 * are the same as {@link #tcp(String, int)}.
 */
public sealed interface Endpoint permits Endpoint.Tcp, Endpoint.Unix, Endpoint.Connected, Endpoint.Listening {

    /**
     * One TCP host and port.
     *
     * @param host a name or an IP address; for a server, {@code null} listens on every interface, IPv4 and IPv6 (one
     *             dual-stack socket)
     * @param port the port, 0-65535; for a server, 0 picks a free one
     * @return the endpoint
     * @throws IllegalArgumentException when the port is outside 0-65535
     */
    static Tcp tcp(String host, int port) {
        return new Tcp(Collections.singletonList(host), port);
    }

    /**
     * Several TCP hosts on one port, for a server (asyncio's {@code host} given as a sequence): with port 0, the first
     * socket's port is used for the rest.
     *
     * @param port  the port, 0-65535
     * @param hosts names or addresses; a {@code null} element is the dual-stack wildcard
     * @return the endpoint
     * @throws NullPointerException     when {@code hosts} is null
     * @throws IllegalArgumentException when no host is given, or the port is outside 0-65535
     */
    static Tcp tcp(int port, String... hosts) {
        Objects.requireNonNull(hosts, "hosts");
        List<String> list = new ArrayList<>(hosts.length);
        Collections.addAll(list, hosts);
        return new Tcp(list, port);
    }

    /**
     * A Unix domain socket (epoll or NIO; not io_uring).
     *
     * @param path the socket file's path
     * @return the endpoint
     * @throws NullPointerException when {@code path} is null
     */
    static Unix unix(Path path) {
        return new Unix(path);
    }

    /**
     * A socket that is already connected (asyncio's {@code open_connection(sock=...)}), TCP or Unix domain, for
     * {@code openConnection}: the stream connection takes it over (closing the connection closes it) and runs it on
     * NIO, with the options' TLS, socket options, limit and water marks. See {@link Connected}.
     *
     * @param channel a connected socket channel
     * @return the endpoint
     * @throws NullPointerException when {@code channel} is null
     */
    static Connected of(SocketChannel channel) {
        return new Connected(channel);
    }

    /**
     * A socket that is already bound and listening (asyncio's {@code start_server(sock=...)}), TCP or Unix domain,
     * for {@code startServer}: the server takes it over (closing the server closes it) and accepts on NIO. See
     * {@link Listening}.
     *
     * @param channel a bound server socket channel
     * @return the endpoint
     * @throws NullPointerException when {@code channel} is null
     */
    static Listening of(ServerSocketChannel channel) {
        return new Listening(channel);
    }

    /**
     * The socket this process inherited ({@link System#inheritedChannel()}: systemd's or inetd's socket activation,
     * the socket on file descriptor 0): a {@link Listening} endpoint for a listening socket ({@code Accept=no}), a
     * {@link Connected} one for a connected socket ({@code Accept=yes}, inetd's {@code nowait}).
     *
     * @return the endpoint of the inherited socket
     * @throws IOException           when the inherited channel cannot be obtained
     * @throws IllegalStateException when this process inherited no socket
     */
    static Endpoint inherited() throws IOException {
        java.nio.channels.Channel inherited = System.inheritedChannel();
        if (inherited instanceof ServerSocketChannel) {
            return new Listening((ServerSocketChannel) inherited);
        }
        if (inherited instanceof SocketChannel) {
            return new Connected((SocketChannel) inherited);
        }
        throw new IllegalStateException("this process inherited no stream socket (System.inheritedChannel() is "
                + inherited + ")");
    }

    /**
     * TCP: one or more hosts (servers listen on each; a connection needs exactly one) and one port.
     *
     * @param hosts the hosts, in order; {@code null} elements are the dual-stack wildcard (servers only)
     * @param port  the port, 0-65535
     */
    record Tcp(List<String> hosts, int port) implements Endpoint {

        /**
         * Checks and copies the hosts.
         *
         * @param hosts the hosts, in order, at least one; copied, so later changes to the list are not seen
         * @param port  the port, 0-65535
         * @throws NullPointerException     when {@code hosts} is null
         * @throws IllegalArgumentException when {@code hosts} is empty or the port is outside 0-65535
         */
        public Tcp {
            Objects.requireNonNull(hosts, "hosts");
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("no host given: []");
            }
            if (port < 0 || port > 0xFFFF) {
                throw new IllegalArgumentException("port not in 0-65535: " + port);
            }
            hosts = Collections.unmodifiableList(new ArrayList<>(hosts)); // may hold null: the wildcard
        }

        @Override
        public String toString() {
            return "tcp:" + (hosts.size() == 1 ? hosts.get(0) : hosts) + ":" + port;
        }
    }

    /**
     * A Unix domain socket.
     *
     * @param path the socket file's path
     */
    record Unix(Path path) implements Endpoint {

        /**
         * Checks the path.
         *
         * @param path the socket file's path
         * @throws NullPointerException when {@code path} is null
         */
        public Unix {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }
    /**
     * A socket that is already connected. Netty's NIO transport wraps the JDK channel as it is
     * ({@code NioSocketChannel}, or {@code NioDomainSocketChannel} for a Unix socket), so the connection runs on a
     * NIO event loop: the options' group, which must then be a NIO one, or else the shared default NIO group; an
     * epoll or io_uring group or transport in the options is an {@link IllegalArgumentException}. (Epoll would
     * need the socket's file descriptor, which the JDK hides in {@code sun.nio.ch} behind {@code --add-exports},
     * and the descriptor would then have two owners.) The channel is switched to non-blocking mode and belongs to the
     * connection from then on. With TLS, the name sent and verified is {@code serverHostname}, else the peer's IP
     * address.
     * {@code connectTimeout}, {@code localAddress} and the happy eyeballs settings do not apply; a proxy is an
     * {@link IllegalArgumentException}.
     *
     * @param channel the connected socket channel
     */
    record Connected(SocketChannel channel) implements Endpoint {

        /**
         * Checks the channel.
         *
         * @param channel the connected socket channel
         * @throws NullPointerException when {@code channel} is null
         */
        public Connected {
            Objects.requireNonNull(channel, "channel");
        }

        @Override
        public String toString() {
            return "connected:" + channel;
        }
    }

    /**
     * A socket that is already bound and listening. As for {@link Connected}, Netty's NIO transport wraps it
     * ({@code NioServerSocketChannel}, or {@code NioServerDomainSocketChannel} for a Unix socket) and it runs on a
     * NIO event loop. The channel belongs to the server from then on: closing the server closes it, and for a Unix
     * socket removes its file (as asyncio's {@code cleanup_socket} and Netty's domain server channel do).
     * {@code backlog}, {@code reuseAddress} and {@code reusePort} do not apply: they were set when it was bound.
     *
     * @param channel the bound server socket channel
     */
    record Listening(ServerSocketChannel channel) implements Endpoint {

        /**
         * Checks the channel.
         *
         * @param channel the bound server socket channel
         * @throws NullPointerException when {@code channel} is null
         */
        public Listening {
            Objects.requireNonNull(channel, "channel");
        }

        @Override
        public String toString() {
            return "listening:" + channel;
        }
    }
}
