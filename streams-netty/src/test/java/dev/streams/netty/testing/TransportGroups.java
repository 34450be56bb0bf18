package dev.streams.netty.testing;

import dev.streams.netty.internal.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * One event loop group per transport for end-to-end tests, so that every socket test runs on epoll and on NIO.
 * Groups are created on first use and shut down by {@link #shutdown()} (call it from {@code @AfterAll}).
 */
public final class TransportGroups {

    private static final Map<Transport, EventLoopGroup> GROUPS = new EnumMap<>(Transport.class);

    private TransportGroups() {
    }

    /** {@code @MethodSource(TransportGroups.ALL)}: a parameterized test runs once per transport of {@link #transports}. */
    public static final String ALL = "dev.streams.netty.testing.TransportGroups#transports";
    /** {@code @MethodSource(TransportGroups.RESET_REPORTING)}: once per transport of {@link #resetReportingTransports}. */
    public static final String RESET_REPORTING = "dev.streams.netty.testing.TransportGroups#resetReportingTransports";

    /** The transports, for {@code @MethodSource}: EPOLL, IO_URING (each when it loads here) and NIO. */
    public static Stream<Transport> transports() {
        return Stream.of(Transport.EPOLL, Transport.IO_URING, Transport.NIO);
    }

    /**
     * The transports that report a peer's reset reliably: not io_uring, which on Netty 4.2.18 at times misses a
     * reset that follows data closely (the channel stays open and reads nothing more).
     */
    public static Stream<Transport> resetReportingTransports() {
        return transports().filter(t -> t != Transport.IO_URING);
    }

    /** The group of {@code transport}; skips the test when that transport does not load here. */
    public static synchronized EventLoopGroup group(Transport transport) {
        Assumptions.assumeTrue(transport.isAvailable(), () -> transport + " is not available here");
        return GROUPS.computeIfAbsent(transport, t -> new MultiThreadIoEventLoopGroup(2,
                new DefaultThreadFactory("test-" + t.name().toLowerCase(java.util.Locale.ROOT), true),
                t.ioHandlerFactory()));
    }

    /** Shuts every group down and waits for it. */
    public static synchronized void shutdown() {
        for (EventLoopGroup group : GROUPS.values()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        GROUPS.clear();
    }
}
