package dev.streams.netty;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Options of {@link NettyStreams#openConnection}: immutable; {@link #DEFAULTS} or {@link #builder()}.
 *
 * <p>Besides {@link StreamOptions}' settings: {@code connectTimeout} (default 30 s, per attempt; past it the attempt
 * fails with {@code io.netty.channel.ConnectTimeoutException}); {@code localAddress} (the address to bind before
 * connecting; default none, the system picks); {@code serverHostname} (with TLS: the name sent in SNI and checked
 * against the certificate; default the host connected to); {@code happyEyeballsDelay} and {@code interleave}
 * (RFC 8305: default none and 0, so the resolved addresses are tried one after another; with a delay, a new attempt
 * starts after it or as soon as the previous one fails, the first to connect wins, and interleave defaults to 1);
 * {@code hostnameVerification} (with TLS: whether the certificate must name the server; default {@code true}, and
 * turning it off is unsafe: see {@link Builder#hostnameVerification(boolean)}).
 * {@code proxy} (default none: a {@link ProxyOptions} SOCKS5 or HTTP {@code CONNECT} proxy that the connection
 * tunnels through; TLS then runs inside the tunnel, with the target's name sent and verified).
 */
public final class ConnectOptions extends StreamOptions {

    /** The default connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Every option at its default. */
    public static final ConnectOptions DEFAULTS = builder().build();

    private final Duration connectTimeout;
    private final SocketAddress localAddress;
    private final String serverHostname;
    private final Duration happyEyeballsDelay;
    private final int interleave;
    private final boolean hostnameVerification;
    // Proxies (issue 16).
    private final ProxyOptions proxy;

    private ConnectOptions(Builder builder) {
        super(builder);
        this.connectTimeout = builder.connectTimeout;
        this.localAddress = builder.localAddress;
        this.serverHostname = builder.serverHostname;
        this.happyEyeballsDelay = builder.happyEyeballsDelay;
        this.interleave = builder.interleave != null ? builder.interleave : builder.happyEyeballsDelay != null ? 1 : 0;
        this.hostnameVerification = builder.hostnameVerification;
        this.proxy = builder.proxy;
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
     * How long a connection attempt may take.
     *
     * @return the connect timeout (default 30 s)
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * The local address to bind before connecting.
     *
     * @return the address, or {@code null} when the system picks one (the default)
     */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /**
     * The TLS server name to send in SNI and (unless {@link #hostnameVerification()} is off) to verify.
     *
     * @return the name, or {@code null} for the host connected to (the default)
     */
    public String serverHostname() {
        return serverHostname;
    }

    /**
     * RFC 8305's connection attempt delay.
     *
     * @return the delay, or {@code null} for one attempt after another (the default)
     */
    public Duration happyEyeballsDelay() {
        return happyEyeballsDelay;
    }

    /**
     * How many addresses of the first family come before one of the other.
     *
     * @return the interleave; 0 keeps the resolver's order
     */
    public int interleave() {
        return interleave;
    }

    /**
     * Whether a TLS client checks that the server's certificate names the server (endpoint identification
     * {@code HTTPS}, against {@link #serverHostname()} or the host connected to).
     *
     * @return {@code true} (the default) when the name is checked; {@code false} only when it was turned off with
     *         {@link Builder#hostnameVerification(boolean)}, which is unsafe
     */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /**
     * The proxy that connections go through.
     *
     * @return the proxy, or {@code null} for a direct connection (the default)
     */
    public ProxyOptions proxy() {
        return proxy;
    }

    @Override
    public String toString() {
        return "ConnectOptions[" + describe() + ", connectTimeout=" + connectTimeout
                + (localAddress != null ? ", localAddress=" + localAddress : "")
                + (serverHostname != null ? ", serverHostname=" + serverHostname : "")
                + (happyEyeballsDelay != null ? ", happyEyeballsDelay=" + happyEyeballsDelay : "")
                + ", interleave=" + interleave
                + (hostnameVerification ? "" : ", hostnameVerification=false (UNSAFE)")
                + (proxy != null ? ", proxy=" + proxy : "") + "]";
    }

    /** Builds {@link ConnectOptions}. */
    public static final class Builder extends StreamOptions.Builder<Builder> {
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private SocketAddress localAddress;
        private String serverHostname;
        private Duration happyEyeballsDelay;
        private Integer interleave;
        private boolean hostnameVerification = true;
        private ProxyOptions proxy;

        private Builder() {
        }

        private Builder(ConnectOptions from) {
            super(from);
            this.connectTimeout = from.connectTimeout;
            this.localAddress = from.localAddress;
            this.serverHostname = from.serverHostname;
            this.happyEyeballsDelay = from.happyEyeballsDelay;
            this.interleave = from.interleave;
            this.hostnameVerification = from.hostnameVerification;
            this.proxy = from.proxy;
        }

        /**
         * With TLS: the name to send in SNI and to check the certificate against.
         *
         * @param serverHostname the name, or {@code null} for the host connected to (the default)
         * @return this builder
         */
        public Builder serverHostname(String serverHostname) {
            this.serverHostname = serverHostname;
            return this;
        }

        /**
         * RFC 8305's connection attempt delay (default {@code null}: one attempt after another).
         *
         * @param delay the delay, or {@code null}
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder happyEyeballsDelay(Duration delay) {
            if (delay != null && delay.isNegative()) {
                throw new IllegalArgumentException("happyEyeballsDelay < 0: " + delay);
            }
            this.happyEyeballsDelay = delay;
            return this;
        }

        /**
         * Address family interleaving, as asyncio's {@code interleave} (default 1 with a happy eyeballs delay, else 0).
         *
         * @param interleave how many addresses of the first family come before one of the other; 0 keeps the
         *                   resolver's order
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder interleave(int interleave) {
            if (interleave < 0) {
                throw new IllegalArgumentException("interleave < 0: " + interleave);
            }
            this.interleave = interleave;
            return this;
        }

        /**
         * <strong>Unsafe when {@code false}.</strong> Whether a TLS client checks that the server's certificate names
         * the server it meant to reach (endpoint identification {@code HTTPS}: the certificate's subject alternative
         * names against {@link #serverHostname(String)} or the host connected to). Default {@code true}.
         *
         * <p>With {@code false} the certificate chain is still checked by the {@code SslContext}'s trust manager, but
         * <em>any</em> certificate it trusts is accepted for <em>any</em> server: whoever holds one trusted
         * certificate can impersonate every host, so a man in the middle goes unnoticed. {@code false} also overrides
         * an endpoint identification algorithm the context itself sets. Use it only for a test, a known pinned peer or
         * a tool's explicit {@code --insecure}; to skip the chain check as well (as curl's {@code --insecure} does),
         * give a context built with Netty's {@code InsecureTrustManagerFactory}. The name is still sent in SNI.
         * Servers and plain TCP ignore this option.
         *
         * @param verify {@code false} to accept a trusted certificate whatever name it holds
         * @return this builder
         */
        public Builder hostnameVerification(boolean verify) {
            this.hostnameVerification = verify;
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * How long a connection attempt may take (default 30 s), at millisecond precision.
         *
         * @param timeout the timeout, positive
         * @return this builder
         * @throws NullPointerException     when {@code timeout} is null
         * @throws IllegalArgumentException when not positive or above {@code Integer.MAX_VALUE} ms
         */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("connectTimeout not in (0, " + Integer.MAX_VALUE + " ms]: "
                        + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * The local address to bind before connecting.
         *
         * @param address the address, or {@code null} (the default) to let the system pick
         * @return this builder
         */
        public Builder localAddress(SocketAddress address) {
            this.localAddress = address;
            return this;
        }

        /**
         * A proxy to connect through (default {@code null}: connect directly): {@link ProxyOptions#socks5} or
         * {@link ProxyOptions#http}. The target's host name goes to the proxy unresolved (the proxy resolves it); the
         * proxy's addresses are tried as a target's would be ({@code happyEyeballsDelay}, {@code interleave}); the
         * {@code connectTimeout} covers the connection to the proxy and its handshake; with TLS the handshake runs
         * through the tunnel with the target's name ({@code serverHostname}, else the host) sent in SNI and
         * verified. The connection's {@code remoteAddress()} is the proxy's. A proxy that refuses fails the
         * connection with a {@link java.net.ConnectException} ({@code ProxyConnectException}) carrying its reply.
         * Proxies apply to TCP endpoints only: a Unix socket or an existing channel with a proxy is an
         * {@link IllegalArgumentException} at {@code openConnection}.
         *
         * @param proxy the proxy, or {@code null} for none
         * @return this builder
         */
        public Builder proxy(ProxyOptions proxy) {
            this.proxy = proxy;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return immutable options holding this builder's settings
         */
        public ConnectOptions build() {
            return new ConnectOptions(this);
        }
    }
}
