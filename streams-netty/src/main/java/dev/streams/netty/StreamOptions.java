package dev.streams.netty;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What every stream connection is configured with; {@link ConnectOptions} and {@link ServerOptions} add their own.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code limit}</td><td>65,536 bytes</td><td>the reader's limit: separator searches fail past it, and the
 *       connection stops reading above {@code 2 × limit} buffered bytes. What a limit costs in memory is in
 *       {@link Builder#limit(int)}</td></tr>
 *   <tr><td>{@code waterMarks}</td><td>16 KiB / 64 KiB</td><td>{@code drain()} waits while more than the high mark
 *       is queued, until the queue falls to the low mark</td></tr>
 *   <tr><td>{@code eventLoopGroup}</td><td>the shared default group</td><td>an epoll or NIO group of the user's;
 *       its transport is used. The default is created on first use (epoll where available, else NIO, daemon threads)
 *       and shut down by {@link NettyStreams#shutdownDefaultGroup()}</td></tr>
 *   <tr><td>{@code transport}</td><td>{@link TransportType#AUTO}</td><td>the transport of the default group (epoll,
 *       io_uring or NIO); ignored with a user's group</td></tr>
 *   <tr><td>{@code sslContext}</td><td>none (plain TCP)</td><td>TLS: a client context (connections) or a server
 *       context (servers). Clients verify the server's certificate and host name (endpoint identification
 *       {@code HTTPS}); only TLS 1.2 and 1.3 are enabled, whatever the context allows. Connections and handlers
 *       start once the handshake is done</td></tr>
 *   <tr><td>{@code handshakeTimeout}</td><td>60 s</td><td>a TLS handshake that takes longer fails the connection
 *       with {@code SslHandshakeTimeoutException}</td></tr>
 *   <tr><td>{@code closeNotifyTimeout}</td><td>30 s</td><td>how long a TLS close waits for close_notify to be
 *       flushed before closing the socket anyway</td></tr>
 *   <tr><td>{@code idleTimeout}</td><td>none (as asyncio)</td><td>a connection that neither reads nor writes a byte
 *       for that long is closed; its reads fail with {@link java.net.SocketTimeoutException}. Counted from the
 *       moment the connection is ready (after a TLS handshake, which has its own timeout)</td></tr>
 *   <tr><td>{@code option(ChannelOption, value)}</td><td>none (every connection has {@code TCP_NODELAY} on)</td>
 *       <td>socket options of each connection ({@code SO_KEEPALIVE}, {@code SO_RCVBUF}, {@code SO_SNDBUF},
 *       {@code TCP_NODELAY}, {@code IP_TOS}, {@code SO_LINGER}, the transport's own such as epoll's
 *       {@code TCP_KEEPIDLE}); for servers, of each accepted connection. An option the transport does not know, or a
 *       value it refuses, fails the {@code openConnection} or {@code startServer} call with an
 *       {@code IllegalArgumentException} that names it</td></tr>
 *   <tr><td>{@code wiretap}</td><td>off</td><td>log every connection's events and bytes (hex dump) at DEBUG to the
 *       logger {@value #WIRE_LOGGER} (Netty's {@code LoggingHandler}, through Netty's logging: SLF4J, Log4j 2 or
 *       {@code java.util.logging}, whichever is present). The bytes are logged below TLS: plaintext</td></tr>
 * </table>
 */
public abstract class StreamOptions {

    /** Default reader limit, in bytes. */
    public static final int DEFAULT_LIMIT = 64 * 1024;
    /** Default low water mark, in bytes. */
    public static final int DEFAULT_LOW_WATER_MARK = 16 * 1024;
    /** Default high water mark, in bytes. */
    public static final int DEFAULT_HIGH_WATER_MARK = 64 * 1024;

    private final int limit;
    private final int lowWaterMark;
    private final int highWaterMark;
    private final EventLoopGroup eventLoopGroup;
    private final TransportType transport;
    private final SslContext sslContext;
    private final Duration handshakeTimeout;
    private final Duration closeNotifyTimeout;
    private final Duration idleTimeout;

    /** The default TLS handshake timeout. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);
    /** The default TLS close_notify timeout. */
    public static final Duration DEFAULT_CLOSE_NOTIFY_TIMEOUT = Duration.ofSeconds(30);

    /** The logger that {@code wiretap} writes to, at DEBUG. */
    public static final String WIRE_LOGGER = "dev.streams.wire";

    // Socket options and wire logging (issue 16).
    private final Map<ChannelOption<?>, Object> channelOptions;
    private final boolean wiretap;

    StreamOptions(Builder<?> builder) {
        this.channelOptions = Collections.unmodifiableMap(new LinkedHashMap<>(builder.channelOptions));
        this.wiretap = builder.wiretap;
        this.limit = builder.limit;
        this.lowWaterMark = builder.lowWaterMark;
        this.highWaterMark = builder.highWaterMark;
        this.eventLoopGroup = builder.eventLoopGroup;
        this.transport = builder.transport;
        this.sslContext = builder.sslContext;
        this.handshakeTimeout = builder.handshakeTimeout;
        this.closeNotifyTimeout = builder.closeNotifyTimeout;
        this.idleTimeout = builder.idleTimeout;
    }

    /**
     * The reader's limit: the longest chunk before a separator that {@code readUntil} and {@code readLine} accept, and
     * the read-side back-pressure's threshold (reading stops above {@code 2 × limit} buffered bytes).
     *
     * @return the limit, in bytes, {@code > 0} (default {@value #DEFAULT_LIMIT})
     * @see Builder#limit(int)
     */
    public int limit() {
        return limit;
    }

    /**
     * The writer's low water mark: a {@code drain()} that waits is answered once the bytes queued for the socket fall
     * to it.
     *
     * @return the low water mark, in bytes, {@code >= 0} (default {@value #DEFAULT_LOW_WATER_MARK})
     */
    public int lowWaterMark() {
        return lowWaterMark;
    }

    /**
     * The writer's high water mark: {@code drain()} waits while more bytes than this are queued for the socket.
     *
     * @return the high water mark, in bytes, {@code >= lowWaterMark()} (default {@value #DEFAULT_HIGH_WATER_MARK})
     */
    public int highWaterMark() {
        return highWaterMark;
    }

    /**
     * The user's event loop group, which connections and servers run on instead of the shared default group.
     *
     * @return the group, or {@code null} for the shared default group of {@link #transport()} (the default)
     */
    public EventLoopGroup eventLoopGroup() {
        return eventLoopGroup;
    }

    /**
     * The transport of the shared default group; ignored when {@link #eventLoopGroup()} is set.
     *
     * @return the transport asked for ({@link TransportType#AUTO} by default)
     */
    public TransportType transport() {
        return transport;
    }

    /**
     * The TLS context: a client context for connections, a server context for servers.
     *
     * @return the context, or {@code null} for plain TCP (the default)
     */
    public SslContext sslContext() {
        return sslContext;
    }

    /**
     * How long a TLS handshake may take before it fails the connection with {@code SslHandshakeTimeoutException}.
     *
     * @return the timeout, positive (default 60 s)
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * How long a TLS close waits for close_notify to be flushed before it closes the socket anyway.
     *
     * @return the timeout, positive (default 30 s)
     */
    public Duration closeNotifyTimeout() {
        return closeNotifyTimeout;
    }

    /**
     * How long a connection may neither read nor write a byte before it is closed.
     *
     * @return the idle timeout, or {@code null} for none (the default)
     * @see Builder#idleTimeout(Duration)
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * The socket options set on each connection ({@code option(ChannelOption, value)}), in the order they were given.
     *
     * @return an unmodifiable map; empty when none were given
     */
    public Map<ChannelOption<?>, Object> channelOptions() {
        return channelOptions;
    }

    /**
     * Whether each connection's events and bytes are logged to {@value #WIRE_LOGGER} at DEBUG.
     *
     * @return true when wire logging is on (default false)
     */
    public boolean wiretap() {
        return wiretap;
    }

    String describe() {
        return "limit=" + limit + ", waterMarks=" + lowWaterMark + "/" + highWaterMark
                + (eventLoopGroup != null ? ", eventLoopGroup=" + eventLoopGroup : ", transport=" + transport)
                + (sslContext != null ? ", tls, handshakeTimeout=" + handshakeTimeout
                        + ", closeNotifyTimeout=" + closeNotifyTimeout : "")
                + (idleTimeout != null ? ", idleTimeout=" + idleTimeout : "")
                + (channelOptions.isEmpty() ? "" : ", options=" + channelOptions)
                + (wiretap ? ", wiretap" : "");
    }

    /**
     * The settings shared by both builders.
     *
     * @param <B> the concrete builder ({@link ConnectOptions.Builder} or {@link ServerOptions.Builder}), which every
     *            setter returns so that calls chain
     */
    public abstract static class Builder<B extends Builder<B>> {
        private int limit = DEFAULT_LIMIT;
        private int lowWaterMark = DEFAULT_LOW_WATER_MARK;
        private int highWaterMark = DEFAULT_HIGH_WATER_MARK;
        private EventLoopGroup eventLoopGroup;
        private TransportType transport = TransportType.AUTO;
        private SslContext sslContext;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration closeNotifyTimeout = DEFAULT_CLOSE_NOTIFY_TIMEOUT;
        private Duration idleTimeout;
        private final Map<ChannelOption<?>, Object> channelOptions = new LinkedHashMap<>();
        private boolean wiretap;

        Builder() {
        }

        Builder(StreamOptions from) {
            this.limit = from.limit;
            this.lowWaterMark = from.lowWaterMark;
            this.highWaterMark = from.highWaterMark;
            this.eventLoopGroup = from.eventLoopGroup;
            this.transport = from.transport;
            this.sslContext = from.sslContext;
            this.handshakeTimeout = from.handshakeTimeout;
            this.closeNotifyTimeout = from.closeNotifyTimeout;
            this.idleTimeout = from.idleTimeout;
            this.channelOptions.putAll(from.channelOptions);
            this.wiretap = from.wiretap;
        }

        abstract B self();

        /**
         * The transport of the shared default group (default {@link TransportType#AUTO}: epoll where it loads, else
         * NIO); ignored with a user's group. A transport that cannot run here ({@link TransportType#EPOLL} off Linux
         * or without its native jar, {@link TransportType#IO_URING} without its optional dependency) fails the
         * {@code openConnection} or {@code startServer} call with {@link IllegalStateException}, whose cause says why.
         *
         * @param transport the transport
         * @return this builder
         * @throws NullPointerException when {@code transport} is null
         */
        public B transport(TransportType transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return self();
        }

        /**
         * TLS (default none): a client {@link SslContext} for connections, a server one for servers. Build it with
         * {@code SslContextBuilder}; only TLS 1.2 and 1.3 are enabled on its engines. A context of the wrong side, or
         * one that enables neither TLS 1.2 nor 1.3, fails the {@code openConnection} or {@code startServer} call with
         * {@link IllegalArgumentException}.
         *
         * @param sslContext the context; {@code null} for plain TCP
         * @return this builder
         */
        public B sslContext(SslContext sslContext) {
            this.sslContext = sslContext;
            return self();
        }

        /**
         * How long a TLS handshake may take (default 60 s); past it the connection fails with
         * {@code SslHandshakeTimeoutException} and is closed. Applied at millisecond precision.
         *
         * @param timeout the time allowed, positive
         * @return this builder
         * @throws NullPointerException     when {@code timeout} is null
         * @throws IllegalArgumentException when not positive
         */
        public B handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive("handshakeTimeout", timeout);
            return self();
        }

        /**
         * How long a TLS close waits for its close_notify to be flushed (default 30 s); past it the socket is closed
         * anyway. Applied at millisecond precision.
         *
         * @param timeout the time allowed, positive
         * @return this builder
         * @throws NullPointerException     when {@code timeout} is null
         * @throws IllegalArgumentException when not positive
         */
        public B closeNotifyTimeout(Duration timeout) {
            this.closeNotifyTimeout = positive("closeNotifyTimeout", timeout);
            return self();
        }

        /**
         * Closes a connection that neither reads nor writes a byte for {@code timeout} (default {@code null}: never,
         * as asyncio). The clock starts when the connection is ready (a TLS handshake keeps its own
         * {@link #handshakeTimeout}) and restarts at every socket read that brings bytes, every write handed to the
         * channel and every bit of progress of the bytes queued for the socket; a peer that stops reading while this
         * side waits in {@code drain()} is idle. On expiry the connection is closed as by any other loss: the reads
         * pending and later fail (after the bytes already buffered) with a {@link java.net.SocketTimeoutException}
         * that says it was idle and for how long, {@code atEof()} stays false, {@code drain()} and
         * {@code waitClosed()} fail with the same exception. It is logged at DEBUG, in one line. Applies to
         * connections made with these options and to channels given to {@code NettyStreams.attach} with them.
         *
         * @param timeout the idle time allowed, at nanosecond precision; {@code null} for none
         * @return this builder
         * @throws IllegalArgumentException when not positive, or longer than {@code Long.MAX_VALUE} nanoseconds
         *                                  (about 292 years)
         */
        public B idleTimeout(Duration timeout) {
            if (timeout != null) {
                positive("idleTimeout", timeout);
                try {
                    timeout.toNanos();
                } catch (ArithmeticException tooLong) {
                    throw new IllegalArgumentException("idleTimeout too long (at most Long.MAX_VALUE ns): " + timeout);
                }
            }
            this.idleTimeout = timeout;
            return self();
        }

        static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " <= 0: " + value);
            }
            return value;
        }

        /**
         * The reader's limit, in bytes (default 65,536): the longest chunk before a separator that
         * {@code readUntil}/{@code readLine} accept, and the read-side back-pressure's threshold.
         *
         * <p><b>What a limit costs.</b> Each connection's reader holds up to {@code 2 × limit} bytes plus one socket
         * read (up to 64 KiB) of pooled direct memory before it stops reading; the reader's buffer is merged into one
         * (a copy: briefly twice that) every 1,024 socket reads it holds. A read that waits for more than that
         * ({@code readExactly(n)} with a large {@code n}, {@code read(-1)}) keeps reading until it is answered:
         * {@code read(-1)} buffers everything up to EOF, whatever the limit. When the stream ends with unread bytes
         * (EOF or a connection error), they are copied to a heap array of their size (so the pooled memory is
         * freed) while the direct buffers are still held; a read copies its bytes into a new array. So {@code N}
         * connections that a peer floods may cost about {@code N × 2 × limit} of direct memory and, at their end, as
         * much heap: with the default limit, 128 KiB each; with a limit of 200 MB, 400 MB each. When memory runs out
         * for one reader ({@link OutOfMemoryError} while it buffers or copies), that connection's unread bytes are
         * dropped, its reads fail with an {@link java.io.IOException} whose cause is the error (the message says how
         * many bytes and the limit), it is closed and logged at WARN; the event loop and the other connections go
         * on.
         *
         * @param limit the limit, in bytes
         * @return this builder
         * @throws IllegalArgumentException when {@code limit <= 0}
         */
        public B limit(int limit) {
            if (limit <= 0) {
                throw new IllegalArgumentException("limit <= 0: " + limit);
            }
            this.limit = limit;
            return self();
        }

        /**
         * The writer's water marks, in bytes (default 16 KiB / 64 KiB): {@code drain()} waits while more than
         * {@code high} bytes are queued for the socket, and is answered once the queue falls to {@code low}.
         * {@code write} itself never waits: past the high mark the bytes go on queueing, and only {@code drain()} (and
         * the writer's blocking {@code asOutputStream()} view) holds the writer back.
         *
         * @param low  the low water mark, in bytes, {@code >= 0}
         * @param high the high water mark, in bytes, {@code >= low}
         * @return this builder
         * @throws IllegalArgumentException when {@code low < 0} or {@code high < low}
         */
        public B waterMarks(int low, int high) {
            if (low < 0) {
                throw new IllegalArgumentException("low water mark < 0: " + low);
            }
            if (high < low) {
                throw new IllegalArgumentException("high water mark < low water mark: " + high + " < " + low);
            }
            this.lowWaterMark = low;
            this.highWaterMark = high;
            return self();
        }

        /**
         * An event loop group of the user's (epoll, io_uring or NIO) to run on instead of the shared default group;
         * its transport is used and {@link #transport} is ignored. The library never shuts it down: the user does,
         * after closing what runs on it. A group of another kind fails the {@code openConnection} or
         * {@code startServer} call with {@link IllegalArgumentException}.
         *
         * @param group the group; {@code null} (the default) for the shared default group
         * @return this builder
         */
        public B eventLoopGroup(EventLoopGroup group) {
            this.eventLoopGroup = group;
            return self();
        }

        /**
         * A socket option for each connection (for a server: each accepted connection), applied after the library's
         * own ({@code TCP_NODELAY} on), so the value given here wins: {@code option(ChannelOption.TCP_NODELAY,
         * false)} turns Nagle's algorithm back on. Options the library manages through options of their own are
         * refused here: {@code AUTO_READ} (the reader's back-pressure), {@code ALLOW_HALF_CLOSURE},
         * {@code AUTO_CLOSE}, the write buffer water marks (use {@link #waterMarks}) and
         * {@code CONNECT_TIMEOUT_MILLIS} (use {@code connectTimeout}). Whether the transport knows the option, and
         * takes the value, is checked when the options are used: {@code openConnection} or {@code startServer} then
         * throws an {@link IllegalArgumentException} naming the option.
         *
         * @param option the option, such as {@link ChannelOption#SO_KEEPALIVE} or {@link ChannelOption#IP_TOS}
         * @param value  its value; {@code null} removes the option given before
         * @param <T>    the option's value type
         * @return this builder
         * @throws NullPointerException     when {@code option} is null
         * @throws IllegalArgumentException when the library manages the option itself
         */
        public <T> B option(ChannelOption<T> option, T value) {
            Objects.requireNonNull(option, "option");
            checkNotManaged(option, MANAGED);
            if (value == null) {
                channelOptions.remove(option);
            } else {
                channelOptions.put(option, value);
            }
            return self();
        }

        /** The options the library sets itself, by name (some of their constants are deprecated), and why. */
        private static final Map<String, String> MANAGED = Map.of(
                "AUTO_READ", "the reader's back-pressure turns it on and off",
                "AUTO_CLOSE", "a failed write must close the connection",
                "ALLOW_HALF_CLOSURE", "connections always allow half-closure",
                "WRITE_BUFFER_WATER_MARK", "use waterMarks(low, high)",
                "WRITE_BUFFER_HIGH_WATER_MARK", "use waterMarks(low, high)",
                "WRITE_BUFFER_LOW_WATER_MARK", "use waterMarks(low, high)",
                "CONNECT_TIMEOUT_MILLIS", "use connectTimeout(Duration)");

        /** Refuses {@code option} when {@code managed} names it, with the reason. */
        static void checkNotManaged(ChannelOption<?> option, Map<String, String> managed) {
            String why = managed.get(option.name());
            if (why != null) {
                throw new IllegalArgumentException("the library sets " + option.name() + " itself (" + why + "): "
                        + option.name());
            }
        }

        /**
         * Wire logging (default off): every connection's events (connect, read, write, flush, close) and bytes, as a
         * hex dump, logged at DEBUG to the logger {@value StreamOptions#WIRE_LOGGER} by Netty's
         * {@code LoggingHandler}. With TLS the handler sits behind the {@code SslHandler}, so it logs the plaintext.
         * Nothing is logged unless that logger is enabled at DEBUG.
         *
         * @param wiretap true to log
         * @return this builder
         */
        public B wiretap(boolean wiretap) {
            this.wiretap = wiretap;
            return self();
        }
    }
}
