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
 *       only: asking for it on NIO fails the start with {@code IllegalArgumentException}</td></tr>
 *   <tr><td>{@code startServing}</td><td>true</td><td>accept at once; when false the socket listens but connections
 *       wait in the backlog until {@code startServing()} or {@code serveForever()}</td></tr>
 *   <tr><td>{@code blockingThreads}</td><td>256</td><td>on Java 17-20 only (no virtual threads): how many blocking
 *       handlers run at once; further connections wait for a thread</td></tr>
 *   <tr><td>{@code serverOption(ChannelOption, value)}</td><td>none</td><td>socket options of the listening
 *       sockets, such as {@code SO_RCVBUF} (which accepted sockets inherit; a window above 64 KiB must be set
 *       before listening) or epoll's {@code TCP_DEFER_ACCEPT}; {@code option(...)} sets those of each accepted
 *       connection</td></tr>
 * </table>
 */
public final class ServerOptions extends StreamOptions {

    /** The default backlog. */
    public static final int DEFAULT_BACKLOG = 100;
    /** The default number of platform threads for blocking handlers when there are no virtual threads. */
    public static final int DEFAULT_BLOCKING_THREADS = 256;
    /** Every option at its default. */
    public static final ServerOptions DEFAULTS = builder().build();

    private final int backlog;
    private final boolean reuseAddress;
    private final boolean reusePort;
    private final boolean startServing;
    private final int blockingThreads;
    // Listening sockets' options (issue 16).
    private final Map<ChannelOption<?>, Object> serverChannelOptions;

    private ServerOptions(Builder builder) {
        super(builder);
        this.backlog = builder.backlog;
        this.reuseAddress = builder.reuseAddress;
        this.reusePort = builder.reusePort;
        this.startServing = builder.startServing;
        this.blockingThreads = builder.blockingThreads;
        this.serverChannelOptions = Collections.unmodifiableMap(new LinkedHashMap<>(builder.serverChannelOptions));
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public int backlog() {
        return backlog;
    }

    public boolean reuseAddress() {
        return reuseAddress;
    }

    public boolean reusePort() {
        return reusePort;
    }

    public boolean startServing() {
        return startServing;
    }

    public int blockingThreads() {
        return blockingThreads;
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
                + ", blockingThreads=" + blockingThreads
                + (serverChannelOptions.isEmpty() ? "" : ", serverOptions=" + serverChannelOptions) + "]";
    }

    /** Builds {@link ServerOptions}. */
    public static final class Builder extends StreamOptions.Builder<Builder> {
        private int backlog = DEFAULT_BACKLOG;
        private boolean reuseAddress = true;
        private boolean reusePort;
        private boolean startServing = true;
        private int blockingThreads = DEFAULT_BLOCKING_THREADS;
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
            this.serverChannelOptions.putAll(from.serverChannelOptions);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The listen backlog (default 100).
         *
         * @throws IllegalArgumentException when {@code backlog <= 0}
         */
        public Builder backlog(int backlog) {
            if (backlog <= 0) {
                throw new IllegalArgumentException("backlog <= 0: " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /** {@code SO_REUSEADDR} (default true). */
        public Builder reuseAddress(boolean reuseAddress) {
            this.reuseAddress = reuseAddress;
            return this;
        }

        /** {@code SO_REUSEPORT} (default false; epoll only). */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /** Whether to accept at once (default true). */
        public Builder startServing(boolean startServing) {
            this.startServing = startServing;
            return this;
        }

        /**
         * Platform threads for blocking handlers on Java 17-20 (default 256).
         *
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

        public ServerOptions build() {
            return new ServerOptions(this);
        }
    }
}
