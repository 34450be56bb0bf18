package dev.streams.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The counters behind {@code StreamServer.metrics()}, without sockets: one cell per event loop, summed; a waiting
 * drain's time counted once, however it ends, and before anyone sees it completed; client connections (no cell) get
 * plain futures and count nothing.
 */
class ServerCountersTest {

    @Test
    void eachEventLoopHasOneCellAndTheMetricsSumThem() throws Exception {
        ServerCounters counters = new ServerCounters(() -> 3);
        EventLoop a = new DefaultEventLoop();
        EventLoop b = new DefaultEventLoop();
        try {
            ServerCounters.Loop cellA = counters.loop(a);
            assertThat(counters.loop(a)).as("one cell per loop").isSameAs(cellA);
            ServerCounters.Loop cellB = counters.loop(b);
            assertThat(cellB).isNotSameAs(cellA);
            a.submit(() -> {
                cellA.read(5);
                cellA.written(7);
            }).get(10, TimeUnit.SECONDS);
            b.submit(() -> {
                cellB.read(100);
                ByteBuf buf = Unpooled.wrappedBuffer(new byte[11]);
                ServerCounters.written(cellB, buf);
                buf.release();
            }).get(10, TimeUnit.SECONDS);
            assertThat(counters.bytesRead()).isEqualTo(105);
            assertThat(counters.bytesWritten()).isEqualTo(18);
            assertThat(counters.connectionsOpen()).isEqualTo(3);
        } finally {
            a.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            b.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWaitingDrainIsCountedOnceBeforeItsCallbacksRunHoweverItEnds() {
        ServerCounters counters = new ServerCounters(() -> 0);
        ServerCounters.Loop cell = counters.loop(new DefaultEventLoop());

        CompletableFuture<Void> released = ServerCounters.drainer(cell);
        AtomicLong seenByCallback = new AtomicLong(-1);
        released.thenRun(() -> seenByCallback.set(counters.drainWaits()));
        assertThat(counters.drainWaits()).as("a wait under way is not counted").isZero();
        assertThat(released.complete(null)).isTrue();
        assertThat(seenByCallback).as("counted before the callbacks ran").hasValue(1);
        released.complete(null);
        released.completeExceptionally(new IllegalStateException());
        released.cancel(false);
        assertThat(counters.drainWaits()).as("once").isEqualTo(1);

        ServerCounters.drainer(cell).completeExceptionally(new java.io.IOException("lost"));
        ServerCounters.drainer(cell).cancel(false);
        CompletableFuture<Void> timedOut = ServerCounters.drainer(cell).orTimeout(1, TimeUnit.NANOSECONDS);
        assertThat(timedOut).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(Exception.class)
                .withCauseInstanceOf(TimeoutException.class);
        assertThat(counters.drainWaits()).as("failed, cancelled, timed out").isEqualTo(4);
        assertThat(counters.drainWaitNanos()).isPositive();
    }

    @Test
    void aClientConnectionsDrainIsAPlainFutureAndCountsNothing() {
        CompletableFuture<Void> drainer = ServerCounters.drainer(null);
        assertThat(drainer.getClass()).isEqualTo(CompletableFuture.class);
        ServerCounters.written(null, null); // no cell: nothing is looked at
    }

    @Test
    void theDependentsOfATimedDrainerArePlainFutures() {
        ServerCounters counters = new ServerCounters(() -> 0);
        CompletableFuture<Void> drainer = ServerCounters.drainer(counters.loop(new DefaultEventLoop()));
        assertThat(drainer.thenRun(() -> { }).getClass()).isEqualTo(CompletableFuture.class);
        drainer.complete(null);
    }
}
