package dev.streams.netty.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The callers of one connection's {@code drain()} that have to wait: made by the first of them (most connections
 * never wait). They are completed, while the connection stays writable, by {@code channelWritabilityChanged} and after
 * the writer's flushes, and failed with the connection's cause once it is lost. Safe from any thread; completing a
 * drainer runs its callbacks, so no lock is held meanwhile.
 */
final class Drainers {

    /** What drain() returns while nothing needs draining: shared, and immune to being completed by a caller. */
    static final CompletableFuture<Void> READY = new Ready();

    private final WriteQueue queue;
    private final WriterState state;
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> waiting = new ConcurrentLinkedQueue<>();

    Drainers(WriteQueue queue, WriterState state) {
        this.queue = queue;
        this.state = state;
    }

    /**
     * {@code drain()}: fails at once once the connection is lost, completes at once while it is writable, else
     * waits.
     */
    static CompletableFuture<Void> drain(WriteQueue queue, WriterState state) {
        Throwable cause = state.lost();
        if (cause != null) {
            return CompletableFuture.failedFuture(cause);
        }
        if (queue.writable()) {
            return READY;
        }
        return state.drainers(queue).await();
    }

    /** A new drainer, completed once the connection is writable again (or failed once it is lost). */
    private CompletableFuture<Void> await() {
        CompletableFuture<Void> drainer = ServerCounters.drainer(queue.counters()); // metrics: timed on a server
        waiting.add(drainer);
        // The channel may have become writable (or closed) between the caller's check and the add: look again.
        if (queue.writable() || state.lost() != null) {
            release();
        }
        return drainer;
    }

    /** True when some caller waits. */
    boolean any() {
        return !waiting.isEmpty();
    }

    /**
     * Completes (or, once the connection is lost, fails) the waiting drainers while the channel stays writable.
     * Writability is checked before each one: a drainer's callback may write (and call drain() again) synchronously,
     * and once that makes the channel unwritable the rest must go on waiting.
     */
    void release() {
        CompletableFuture<Void> drainer;
        Throwable cause;
        while (((cause = state.lost()) != null || queue.writable()) && (drainer = waiting.poll()) != null) {
            if (cause != null) {
                drainer.completeExceptionally(cause);
            } else {
                drainer.complete(null);
            }
        }
    }

    /** A completed future whose state cannot be changed: the shared answer of a drain() that need not wait. */
    private static final class Ready extends CompletableFuture<Void> {
        Ready() {
            super.complete(null);
        }

        @Override
        public boolean complete(Void value) {
            return false;
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            return false;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public void obtrudeValue(Void value) {
            // a shared answer: nobody may change it
        }

        @Override
        public void obtrudeException(Throwable ex) {
            // a shared answer: nobody may change it
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
