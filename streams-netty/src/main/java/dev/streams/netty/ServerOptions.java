package dev.streams.netty;

import io.netty.channel.ChannelOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Options of {@link NettyStreams#startServer} and {@link NettyStreams#startBlockingServer}: immutable;
 * {@link #DEFAULTS} or {@link #builder()}.
 *
 * <table>
 *   <caption>Defaults, besides {@link StreamOptions}' limit, water marks and event loop group</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code backlog}</td><td>100</td><td>the listen queue's length</td></tr>
 *   <tr><td>{@code reuseAddress}</td><td>true</td><td>{@code SO_REUSEADDR}</td></tr>
 *   <tr><td>{@code reusePort}</td><td>false</td><td>{@code SO_REUSEPORT} (several servers on one port); epoll
 *       or io_uring only: asking for it on NIO fails the start with {@code IllegalArgumentException}</td></tr>
 *   <tr><td>{@code startServing}</td><td>true</td><td>accept at once; when false the socket listens but connections
 *       wait in the backlog until {@code startServing()} or {@code serveForever()}</td></tr>
 *   <tr><td>{@code blockingScheduler}</td><td>{@link BlockingScheduler#AUTO}</td><td>which threads carry blocking
 *       handlers: the connection's event loop, the JDK's virtual-thread scheduler or a pool of platform threads
 *       (see {@link BlockingScheduler})</td></tr>
 *   <tr><td>{@code blockingThreads}</td><td>256</td><td>with {@link BlockingScheduler#POOL} only (the choice on
 *       Java 17-20): how many blocking handlers run at once. Each connection holds its thread until its handler
 *       returns, idle or not: once all are taken, further connections are accepted but wait, unanswered, for a
 *       thread (the server logs one warning). Size it above the number of clients that may sit idle at once, or end
 *       idle connections with an idle timeout</td></tr>
 *   <tr><td>{@code maxConnections}</td><td>no limit ({@link Integer#MAX_VALUE})</td><td>the most connections open at
 *       once; beyond it a new connection is accepted and closed at once (its peer reads EOF) and counted</td></tr>
 *   <tr><td>{@code serverOption(ChannelOption, value)}</td><td>none</td><td>socket options of the listening
 *       sockets, such as {@code SO_RCVBUF} (which accepted sockets inherit; a window above 64 KiB must be set
 *       before listening) or epoll's {@code TCP_DEFER_ACCEPT}; {@code option(...)} sets those of each accepted
 *       connection</td></tr>
 * </table>
 *
 * <p><b>What every server does, whatever the options.</b> When it cannot accept (the process is out of file
 * descriptors, {@code EMFILE}), it stops accepting for 100 ms and tries again until an accept succeeds: new
 * connections wait in the backlog meanwhile, the connections already open are served as before, and one WARN is logged
 * per episode (one INFO when it ends). With TLS, a client that asks to renegotiate (TLS 1.2; TLS 1.3 has no
 * renegotiation) is refused: its connection is closed, and its reader fails with {@code SSLHandshakeException}
 * ("client-initiated TLS renegotiation refused"), which the connection logs at DEBUG with its name.
 */
public final class ServerOptions extends StreamOptions {

    /** The default backlog. */
    public static final int DEFAULT_BACKLOG = 100;
    /** The default number of platform threads for blocking handlers when there are no virtual threads. */
    public static final int DEFAULT_BLOCKING_THREADS = 256;
    /** The default {@code maxConnections}: no limit. */
    public static final int UNLIMITED_CONNECTIONS = Integer.MAX_VALUE;
    /** Every option at its default. */
    public static final ServerOptions DEFAULTS = builder().build();

    private final int backlog;
    private final boolean reuseAddress;
    private final boolean reusePort;
    private final boolean startServing;
    private final int blockingThreads;
    private final int maxConnections;
    private final BlockingScheduler blockingScheduler;
    // Listening sockets' options (issue 16).
    private final Map<ChannelOption<?>, Object> serverChannelOptions;

    private ServerOptions(Builder builder) {
        super(builder);
        this.backlog = builder.backlog;
        this.reuseAddress = builder.reuseAddress;
        this.reusePort = builder.reusePort;
        this.startServing = builder.startServing;
        this.blockingThreads = builder.blockingThreads;
        this.maxConnections = builder.maxConnections;
        this.blockingScheduler = builder.blockingScheduler;
        this.serverChannelOptions = Collections.unmodifiableMap(new LinkedHashMap<>(builder.serverChannelOptions));
    }

    /**
     * A builder with every option at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that starts from these options.
     *
     * @return a new builder holding these options
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The length of each listening socket's queue of connections not yet accepted.
     *
     * @return the backlog, {@code > 0} (default {@value #DEFAULT_BACKLOG})
     * @see Builder#backlog(int)
     */
    public int backlog() {
        return backlog;
    }

    /**
     * Whether the TCP listening sockets are bound with {@code SO_REUSEADDR}.
     *
     * @return true to bind with {@code SO_REUSEADDR} (the default)
     */
    public boolean reuseAddress() {
        return reuseAddress;
    }

    /**
     * Whether the TCP listening sockets are bound with {@code SO_REUSEPORT}, so that several servers can listen on
     * one port (epoll or io_uring).
     *
     * @return true to bind with {@code SO_REUSEPORT} (default false)
     * @see Builder#reusePort(boolean)
     */
    public boolean reusePort() {
        return reusePort;
    }

    /**
     * Whether a server accepts as soon as it is bound.
     *
     * @return true to accept at once (the default); false to listen and let connections wait in the backlog until
     *         {@code startServing()} or {@code serveForever()}
     * @see Builder#startServing(boolean)
     */
    public boolean startServing() {
        return startServing;
    }

    /**
     * How many platform threads carry blocking handlers with {@link BlockingScheduler#POOL}; unused with the other
     * schedulers.
     *
     * @return the pool's size, {@code > 0} (default {@value #DEFAULT_BLOCKING_THREADS})
     * @see Builder#blockingThreads(int)
     */
    public int blockingThreads() {
        return blockingThreads;
    }

    /**
     * The most connections a server keeps open at once; {@link #UNLIMITED_CONNECTIONS} (the default) for no limit.
     *
     * @return the limit, {@code > 0}
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Which threads carry blocking handlers.
     *
     * @return the scheduler asked for ({@link BlockingScheduler#AUTO} by default)
     */
    public BlockingScheduler blockingScheduler() {
        return blockingScheduler;
    }

    /**
     * The socket options of the listening sockets ({@code serverOption(ChannelOption, value)}), in the order given.
     *
     * @return an unmodifiable map; empty when none were given (the default)
     */
    public Map<ChannelOption<?>, Object> serverChannelOptions() {
        return serverChannelOptions;
    }

    @Override
    public String toString() {
        return "ServerOptions[" + describe() + ", backlog=" + backlog + ", reuseAddress=" + reuseAddress
                + ", reusePort=" + reusePort + ", startServing=" + startServing
                + ", blockingThreads=" + blockingThreads + ", blockingScheduler=" + blockingScheduler
                + (maxConnections != UNLIMITED_CONNECTIONS ? ", maxConnections=" + maxConnections : "")
                + (serverChannelOptions.isEmpty() ? "" : ", serverOptions=" + serverChannelOptions) + "]";
    }

    /** Builds {@link ServerOptions}. */
    public static final class Builder extends StreamOptions.Builder<Builder> {
        private int backlog = DEFAULT_BACKLOG;
        private boolean reuseAddress = true;
        private boolean reusePort;
        private boolean startServing = true;
        private int blockingThreads = DEFAULT_BLOCKING_THREADS;
        private int maxConnections = UNLIMITED_CONNECTIONS;
        private BlockingScheduler blockingScheduler = BlockingScheduler.AUTO;
        private final Map<ChannelOption<?>, Object> serverChannelOptions = new LinkedHashMap<>();

        private Builder() {
        }

        private Builder(ServerOptions from) {
            super(from);
            this.backlog = from.backlog;
            this.reuseAddress = from.reuseAddress;
            this.reusePort = from.reusePort;
            this.startServing = from.startServing;
            this.blockingThreads = from.blockingThreads;
            this.maxConnections = from.maxConnections;
            this.blockingScheduler = from.blockingScheduler;
            this.serverChannelOptions.putAll(from.serverChannelOptions);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The listen backlog (default 100): how many connections the kernel queues on each listening socket before
         * the server accepts them; past it, new connections wait in their clients' retries or are refused, as the
         * kernel decides. The kernel may cap it (Linux: {@code net.core.somaxconn}). Not applied to a
         * socket that is already listening ({@link Endpoint#of(java.nio.channels.ServerSocketChannel)}).
         *
         * @param backlog the queue's length, in connections, {@code > 0}
         * @return this builder
         * @throws IllegalArgumentException when {@code backlog <= 0}
         */
        public Builder backlog(int backlog) {
            if (backlog <= 0) {
                throw new IllegalArgumentException("backlog <= 0: " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /**
         * {@code SO_REUSEADDR} on the TCP listening sockets (default true, as asyncio on Unix): a restarted server
         * can bind its port while connections of the previous one are still in {@code TIME_WAIT}. Not applied to
         * Unix domain sockets, nor to a socket that is already bound.
         *
         * @param reuseAddress true to set it
         * @return this builder
         */
        public Builder reuseAddress(boolean reuseAddress) {
            this.reuseAddress = reuseAddress;
            return this;
        }

        /**
         * {@code SO_REUSEPORT} on the TCP listening sockets (default false): several servers, in this process or
         * others, listen on one port and the kernel spreads new connections among them. Epoll or io_uring only: on
         * NIO, {@code startServer} throws {@link IllegalArgumentException}. Not applied to Unix domain sockets, nor to
         * a socket that is already bound.
         *
         * @param reusePort true to set it
         * @return this builder
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /**
         * Whether to accept at once (default true, asyncio's {@code start_serving}). When false, the sockets are bound
         * and listen, but connections wait in the backlog, unaccepted, until the server's {@code startServing()} or
         * {@code serveForever()}.
         *
         * @param startServing false to bind without accepting
         * @return this builder
         */
        public Builder startServing(boolean startServing) {
            this.startServing = startServing;
            return this;
        }

        /**
         * Platform threads for blocking handlers with {@link BlockingScheduler#POOL} (default 256): each connection
         * holds one until its handler returns, so the pool bounds the connections served at once, idle ones
         * included; the rest wait for a thread. Unused with the other schedulers.
         *
         * @param threads the pool's size, {@code > 0}
         * @return this builder
         * @throws IllegalArgumentException when {@code threads <= 0}
         */
        public Builder blockingThreads(int threads) {
            if (threads <= 0) {
                throw new IllegalArgumentException("blockingThreads <= 0: " + threads);
            }
            this.blockingThreads = threads;
            return this;
        }

        /**
         * The most connections open at once, across all the server's addresses (default
         * {@link ServerOptions#UNLIMITED_CONNECTIONS}: no limit, as asyncio and Netty). A connection beyond it is
         * accepted and closed at once, before any handler or TLS handshake (its peer reads EOF), and counted; the
         * server logs one WARN for each run of refusals. A connection counts from its accept until its socket
         * closes, TLS handshake included. Set it below the process's open-file limit to keep descriptors for
         * everything else.
         *
         * @param maxConnections the limit, {@code > 0}
         * @return this builder
         * @throws IllegalArgumentException when {@code maxConnections <= 0}
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections <= 0) {
                throw new IllegalArgumentException("maxConnections <= 0: " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * Which threads carry blocking handlers (default {@link BlockingScheduler#AUTO}). A scheduler that is not
         * available in the running JVM fails {@code startBlockingServer} with {@link IllegalStateException}, which
         * names what is missing.
         *
         * @param scheduler the scheduler
         * @return this builder
         * @throws NullPointerException when {@code scheduler} is null
         */
        public Builder blockingScheduler(BlockingScheduler scheduler) {
            this.blockingScheduler = java.util.Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * A socket option of the listening sockets (Netty's {@code ServerBootstrap.option}); {@link #option} sets
         * those of each accepted connection (Netty's {@code childOption}). The library's own are refused here:
         * {@code SO_BACKLOG} (use {@link #backlog}), {@code SO_REUSEADDR} ({@link #reuseAddress}),
         * {@code SO_REUSEPORT} ({@link #reusePort}), {@code AUTO_READ} ({@link #startServing}). An option the
         * transport does not know, or a value it refuses, fails {@code startServer} with an
         * {@link IllegalArgumentException} naming it. Set on an existing listening channel
         * ({@link Endpoint#of(java.nio.channels.ServerSocketChannel)}) too, after it was bound.
         *
         * @param option the option, such as {@link ChannelOption#SO_RCVBUF}
         * @param value  its value; {@code null} removes the option given before
         * @param <T>    the option's value type
         * @return this builder
         * @throws NullPointerException     when {@code option} is null
         * @throws IllegalArgumentException when the library manages the option itself
         */
        public <T> Builder serverOption(ChannelOption<T> option, T value) {
            Objects.requireNonNull(option, "option");
            checkNotManaged(option, SERVER_MANAGED);
            if (value == null) {
                serverChannelOptions.remove(option);
            } else {
                serverChannelOptions.put(option, value);
            }
            return this;
        }

        /** The listening socket's options the library sets itself, by name, and which option sets each. */
        private static final Map<String, String> SERVER_MANAGED = Map.of(
                "SO_BACKLOG", "use backlog(int)",
                "SO_REUSEADDR", "use reuseAddress(boolean)",
                "SO_REUSEPORT", "use reusePort(boolean)",
                "AUTO_READ", "use startServing(boolean)",
                "AUTO_CLOSE", "a failed accept must not close the server");

        /**
         * Builds the options.
         *
         * @return immutable options holding this builder's settings
         */
        public ServerOptions build() {
            return new ServerOptions(this);
        }
    }
}
