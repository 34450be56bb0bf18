package dev.streams.netty;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Options of {@link NettyStreams#openConnection}: immutable; {@link #DEFAULTS} or {@link #builder()}.
 *
 * <p>Besides {@link StreamOptions}' limit, water marks and event loop group: {@code connectTimeout} (default 30 s;
 * past it the connection fails with {@code io.netty.channel.ConnectTimeoutException}) and {@code localAddress} (the
 * address to bind before connecting; default none, the system picks).
 */
public final class ConnectOptions extends StreamOptions {

    /** The default connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Every option at its default. */
    public static final ConnectOptions DEFAULTS = builder().build();

    private final Duration connectTimeout;
    private final SocketAddress localAddress;

    private ConnectOptions(Builder builder) {
        super(builder);
        this.connectTimeout = builder.connectTimeout;
        this.localAddress = builder.localAddress;
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** How long a connection attempt may take. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The local address to bind, or {@code null}. */
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public String toString() {
        return "ConnectOptions[" + describe() + ", connectTimeout=" + connectTimeout
                + (localAddress != null ? ", localAddress=" + localAddress : "") + "]";
    }

    /** Builds {@link ConnectOptions}. */
    public static final class Builder extends StreamOptions.Builder<Builder> {
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private SocketAddress localAddress;

        private Builder() {
        }

        private Builder(ConnectOptions from) {
            super(from);
            this.connectTimeout = from.connectTimeout;
            this.localAddress = from.localAddress;
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * How long a connection attempt may take (default 30 s), at millisecond precision.
         *
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

        /** The local address to bind before connecting; {@code null} (the default) lets the system pick. */
        public Builder localAddress(SocketAddress address) {
            this.localAddress = address;
            return this;
        }

        public ConnectOptions build() {
            return new ConnectOptions(this);
        }
    }
}
