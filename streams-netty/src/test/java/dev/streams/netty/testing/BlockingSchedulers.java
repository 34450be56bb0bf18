package dev.streams.netty.testing;

import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.internal.BlockingExecutor;
import dev.streams.netty.internal.Transport;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The {@link BlockingScheduler}s this JVM offers, so that every blocking-handler test runs on each: on Java 17 only
 * {@code POOL}; on Java 21+ also {@code VIRTUAL} and (with the add-opens flag the build gives the tests)
 * {@code EVENT_LOOP}.
 */
public final class BlockingSchedulers {

    /** {@code @MethodSource(BlockingSchedulers.AVAILABLE)}: once per available scheduler. */
    public static final String AVAILABLE = "dev.streams.netty.testing.BlockingSchedulers#available";
    /** {@code @MethodSource(BlockingSchedulers.WITH_TRANSPORTS)}: (transport, scheduler) for every pair. */
    public static final String WITH_TRANSPORTS = "dev.streams.netty.testing.BlockingSchedulers#withTransports";

    /** {@code @MethodSource(BlockingSchedulers.WITH_RESET_REPORTING_TRANSPORTS)}: as {@link #WITH_TRANSPORTS}, over
     * {@link TransportGroups#resetReportingTransports()}. */
    public static final String WITH_RESET_REPORTING_TRANSPORTS =
            "dev.streams.netty.testing.BlockingSchedulers#withResetReportingTransports";

    private BlockingSchedulers() {
    }

    /** The schedulers that {@code startBlockingServer} accepts in this JVM (never AUTO, which is one of them). */
    public static Stream<BlockingScheduler> available() {
        return Stream.of(BlockingScheduler.EVENT_LOOP, BlockingScheduler.VIRTUAL, BlockingScheduler.POOL)
                .filter(BlockingSchedulers::isAvailable);
    }

    /** Every transport of {@link TransportGroups#transports()} with every available scheduler. */
    public static Stream<Arguments> withTransports() {
        return TransportGroups.transports().flatMap(t -> available().map(s -> Arguments.of(t, s)));
    }

    /** Every transport of {@link TransportGroups#resetReportingTransports()} with every available scheduler. */
    public static Stream<Arguments> withResetReportingTransports() {
        return TransportGroups.resetReportingTransports().flatMap(t -> available().map(s -> Arguments.of(t, s)));
    }

    /** True when {@code scheduler} can run handlers in this JVM. */
    public static boolean isAvailable(BlockingScheduler scheduler) {
        try {
            BlockingExecutor.resolve(scheduler);
            return true;
        } catch (IllegalStateException notHere) {
            return false;
        }
    }

    /** {@link Transport#preferred()}, for tests that run over one transport only. */
    public static Transport transport() {
        return Transport.preferred();
    }
}
