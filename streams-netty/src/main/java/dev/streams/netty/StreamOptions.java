package dev.streams.netty;

import io.netty.channel.EventLoopGroup;

/**
 * What every stream connection is configured with; {@link ConnectOptions} and {@link ServerOptions} add their own.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code limit}</td><td>65,536 bytes</td><td>the reader's limit: separator searches fail past it, and the
 *       connection stops reading above {@code 2 × limit} buffered bytes</td></tr>
 *   <tr><td>{@code waterMarks}</td><td>16 KiB / 64 KiB</td><td>{@code drain()} waits while more than the high mark
 *       is queued, until the queue falls to the low mark</td></tr>
 *   <tr><td>{@code eventLoopGroup}</td><td>the shared default group</td><td>an epoll or NIO group of the user's;
 *       its transport is used. The default is created on first use (epoll where available, else NIO, daemon threads)
 *       and shut down by {@link NettyStreams#shutdownDefaultGroup()}</td></tr>
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

    StreamOptions(Builder<?> builder) {
        this.limit = builder.limit;
        this.lowWaterMark = builder.lowWaterMark;
        this.highWaterMark = builder.highWaterMark;
        this.eventLoopGroup = builder.eventLoopGroup;
    }

    /** The reader's limit, in bytes. */
    public int limit() {
        return limit;
    }

    /** The low water mark, in bytes. */
    public int lowWaterMark() {
        return lowWaterMark;
    }

    /** The high water mark, in bytes. */
    public int highWaterMark() {
        return highWaterMark;
    }

    /** The user's event loop group, or {@code null} for the shared default. */
    public EventLoopGroup eventLoopGroup() {
        return eventLoopGroup;
    }

    String describe() {
        return "limit=" + limit + ", waterMarks=" + lowWaterMark + "/" + highWaterMark
                + (eventLoopGroup != null ? ", eventLoopGroup=" + eventLoopGroup : "");
    }

    /** The settings shared by both builders. */
    public abstract static class Builder<B extends Builder<B>> {
        private int limit = DEFAULT_LIMIT;
        private int lowWaterMark = DEFAULT_LOW_WATER_MARK;
        private int highWaterMark = DEFAULT_HIGH_WATER_MARK;
        private EventLoopGroup eventLoopGroup;

        Builder() {
        }

        Builder(StreamOptions from) {
            this.limit = from.limit;
            this.lowWaterMark = from.lowWaterMark;
            this.highWaterMark = from.highWaterMark;
            this.eventLoopGroup = from.eventLoopGroup;
        }

        abstract B self();

        /**
         * The reader's limit, in bytes (default 65,536).
         *
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
         * The writer's water marks, in bytes (default 16 KiB / 64 KiB).
         *
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

        /** An epoll or NIO event loop group of the user's; {@code null} (the default) uses the shared group. */
        public B eventLoopGroup(EventLoopGroup group) {
            this.eventLoopGroup = group;
            return self();
        }
    }
}
