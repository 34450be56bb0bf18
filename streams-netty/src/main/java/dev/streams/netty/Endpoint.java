package dev.streams.netty;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Where a connection goes or a server listens: a TCP host and port, several TCP hosts on one port (servers), or a
 * Unix domain socket. One value instead of an overload per kind of address:
 *
 * <pre>{@code
 * NettyStreams.openConnection(Endpoint.unix(Path.of("/tmp/echo.sock")), ConnectOptions.DEFAULTS);
 * NettyStreams.startServer(handler, Endpoint.tcp(8888, "127.0.0.1", "::1"), ServerOptions.DEFAULTS);
 * }</pre>
 *
 * <p>Plain {@code host, port} arguments ({@code openConnection(host, port)}, {@code startServer(handler, host, port)})
 * are the same as {@link #tcp(String, int)}.
 */
public sealed interface Endpoint permits Endpoint.Tcp, Endpoint.Unix {

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
     * TCP: one or more hosts (servers listen on each; a connection needs exactly one) and one port.
     *
     * @param hosts the hosts, in order; {@code null} elements are the dual-stack wildcard (servers only)
     * @param port  the port, 0-65535
     */
    record Tcp(List<String> hosts, int port) implements Endpoint {

        /**
         * Checks and copies the hosts.
         *
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
}
