package dev.streams.netty.internal;

import dev.streams.ServerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * One server's counters: its {@link ServerMetrics}, and the hooks the data path calls to count.
 *
 * <p><b>Cost.</b> The bytes are counted on the hot path, once per {@code channelRead} and once per buffer handed to
 * the channel, so they live in one {@link Loop} per event loop of the server: every connection of a server on one
 * event loop counts into the same two fields, and only that loop's tasks write them, one after the other. A count is
 * then a plain read and an opaque write (no atomic instruction, no contention between loops; the cells are padded
 * so that two loops do not share a cache line); a read of the metrics sums the cells. The rarer events — connections
 * accepted and refused, waits in {@code drain()} (from any thread), handler failures — are {@link LongAdder}s.
 *
 * <p>A client connection has no server: its handler's cell is null and every hook is one null check (the callers
 * make it: {@code if (counters != null)}, or the static helpers here).
 */
final class ServerCounters implements ServerMetrics {

    private final IntSupplier open;
    /** The cell of each event loop that served a connection of this server; never removed (loops are few). */
    private final Map<EventExecutor, Loop> loops = new ConcurrentHashMap<>();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder drainWaits = new LongAdder();
    private final LongAdder drainWaitNanos = new LongAdder();
    private final LongAdder handlerFailures = new LongAdder();

    /**
     * @param open the connections open now (the server's tracked connections)
     */
    ServerCounters(IntSupplier open) {
        this.open = open;
    }

    /**
     * The cell that the connections on {@code loop} count their bytes into: made by the first of them.
     *
     * @param loop the event loop of a connection, which alone writes the cell
     * @return the cell
     */
    Loop loop(EventExecutor loop) {
        Loop cell = loops.get(loop);
        return cell != null ? cell : loops.computeIfAbsent(loop, l -> new Loop(this));
    }

    // ---------------------------------------------------------------------------------------- counting

    /** A connection was accepted and is served. */
    void accepted() {
        accepted.increment();
    }

    /** A connection was accepted and closed at once (maxConnections). */
    void refused() {
        refused.increment();
    }

    /** A handler failed with its own exception (logged at WARN). */
    void handlerFailed() {
        handlerFailures.increment();
    }

    /** A drain() that had to wait ended after {@code nanos}. */
    void drained(long nanos) {
        drainWaits.increment();
        drainWaitNanos.add(Math.max(0, nanos));
    }

    /**
     * Counts {@code buf}'s readable bytes as written, when the connection belongs to a server. Call it before the
     * buffer is handed to the channel (which owns it from then on). Event loop only.
     *
     * @param counters the connection's cell, null for a client connection
     * @param buf      the buffer about to be written
     */
    static void written(Loop counters, ByteBuf buf) {
        if (counters != null) {
            counters.written(buf.readableBytes());
        }
    }

    /**
     * The future of a {@code drain()} that has to wait: on a server connection, one that adds the time until it
     * completes (in whatever way) to the server's drain wait, before its callbacks run.
     *
     * @param counters the connection's cell, null for a client connection
     * @return a new incomplete future
     */
    static CompletableFuture<Void> drainer(Loop counters) {
        return counters == null ? new CompletableFuture<>() : new TimedDrainer(counters.server);
    }

    /**
     * Counts one failure of a handler, when the connection belongs to a server.
     *
     * @param connection the handler's connection
     */
    static void handlerFailed(NettyStreamConnection connection) {
        Loop counters = connection.counters();
        if (counters != null) {
            counters.server.handlerFailed();
        }
    }

    // ---------------------------------------------------------------------------------------- metrics

    @Override
    public long connectionsOpen() {
        return open.getAsInt();
    }

    @Override
    public long connectionsAccepted() {
        return accepted.sum();
    }

    @Override
    public long connectionsRefused() {
        return refused.sum();
    }

    @Override
    public long bytesRead() {
        long sum = 0;
        for (Loop cell : loops.values()) {
            sum += (long) Loop.READ.getOpaque(cell);
        }
        return sum;
    }

    @Override
    public long bytesWritten() {
        long sum = 0;
        for (Loop cell : loops.values()) {
            sum += (long) Loop.WRITTEN.getOpaque(cell);
        }
        return sum;
    }

    @Override
    public long drainWaits() {
        return drainWaits.sum();
    }

    @Override
    public long drainWaitNanos() {
        return drainWaitNanos.sum();
    }

    @Override
    public long handlerFailures() {
        return handlerFailures.sum();
    }

    @Override
    public String toString() {
        return "ServerMetrics[open " + connectionsOpen() + ", accepted " + connectionsAccepted() + ", refused "
                + connectionsRefused() + ", read " + bytesRead() + " B, written " + bytesWritten() + " B, drain waits "
                + drainWaits() + " (" + drainWaitNanos() + " ns), handler failures " + handlerFailures() + "]";
    }

    // ---------------------------------------------------------------------------------------- the cells

    /** Padding in front of a cell's counters: no other object's hot fields on their cache line. */
    private abstract static class PadBefore {
        private long p01, p02, p03, p04, p05, p06, p07, p08;
    }

    /** The counters of a cell; see {@link Loop}. */
    private abstract static class Counters extends PadBefore {
        /** Written by the cell's event loop only (plain read, opaque write); read by anyone (opaque). */
        long bytesRead;
        long bytesWritten;
    }

    /** Padding behind a cell's counters. */
    private abstract static class PadAfter extends Counters {
        private long p11, p12, p13, p14, p15, p16, p17, p18;
    }

    /**
     * The byte counters of one server's connections on one event loop. Only that loop writes them, so a count is
     * {@code field = field + n} with an opaque write (atomic for a {@code long}; seen by readers on other threads
     * without a fence on the writer's side): the loop's tasks run one after the other, whichever thread runs them.
     */
    static final class Loop extends PadAfter {

        static final VarHandle READ;
        static final VarHandle WRITTEN;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                READ = lookup.findVarHandle(Counters.class, "bytesRead", long.class);
                WRITTEN = lookup.findVarHandle(Counters.class, "bytesWritten", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final ServerCounters server;

        private Loop(ServerCounters server) {
            this.server = server;
        }

        /** Counts {@code n} bytes read. The cell's event loop only. */
        void read(int n) {
            READ.setOpaque(this, bytesRead + n);
        }

        /** Counts {@code n} bytes handed to the channel. The cell's event loop only. */
        void written(long n) {
            WRITTEN.setOpaque(this, bytesWritten + n);
        }

        /** The server these counters belong to. */
        ServerCounters server() {
            return server;
        }
    }

    /**
     * The future of a {@code drain()} that waits, on a server's connection: the first completion of any kind — by
     * the writer (writable again, or the connection lost), or by the caller ({@code cancel}, {@code orTimeout},
     * {@code complete*}) — adds the time since it was made to the server's drain wait, before the future completes
     * (so that whoever sees it completed sees the wait counted). Dependent futures are plain ones.
     */
    private static final class TimedDrainer extends CompletableFuture<Void> {

        private static final VarHandle START;

        static {
            try {
                START = MethodHandles.lookup().findVarHandle(TimedDrainer.class, "start", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final ServerCounters server;
        /** System.nanoTime() when the wait began; taken (set to STOPPED) by the first completion. */
        private volatile long start;
        /** A start value no clock reading is taken for (a reading of exactly this is nudged). */
        private static final long STOPPED = Long.MIN_VALUE;

        TimedDrainer(ServerCounters server) {
            this.server = server;
            long now = System.nanoTime();
            this.start = now == STOPPED ? now + 1 : now;
        }

        private void stop() {
            long began = (long) START.getAndSet(this, STOPPED);
            if (began != STOPPED) {
                server.drained(System.nanoTime() - began);
            }
        }

        @Override
        public boolean complete(Void value) {
            if (!isDone()) {
                stop();
            }
            return super.complete(value);
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            if (!isDone()) {
                stop();
            }
            return super.completeExceptionally(ex);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (!isDone()) {
                stop();
            }
            return super.cancel(mayInterruptIfRunning);
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
