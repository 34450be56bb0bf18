package dev.streams.netty.internal;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;

/**
 * Whether one connection's writer takes writes, why its connection is gone, who waits in {@code drain()}
 * ({@link Drainers}) and in {@code waitClosed()}, and the lock that makes "check open, hand the bytes over" atomic:
 * this object's monitor, taken by the {@link WriteQueue} around every state change and every write from a thread
 * other than the event loop. A write that passed the check under the lock is queued before close, EOF or the
 * connection's end take their closing step (which writes or releases the queue first), so it is never dropped. No
 * user code runs under the lock.
 */
final class WriterState {

    /** {@code close()} or {@code abort()} was called: later writes are refused. */
    static final int CLOSED = 1;
    /** {@code writeEof()} was called: later writes are refused. */
    static final int EOF_WRITTEN = 2;
    /** The connection ended: later writes are dropped ({@code drain()} says why). */
    static final int ENDED = 4;
    /** The end of every connection that ended cleanly before anybody asked; only copies of it are handed out. */
    private static final CompletableFuture<Void> CLOSED_CLEANLY = CompletableFuture.completedFuture(null);

    private final StreamsChannelHandler handler;
    /** {@link #CLOSED}, {@link #EOF_WRITTEN} and {@link #ENDED} bits, 0 while open. Written under the lock. */
    private volatile int bits;
    /** Why the connection is gone (its error, or ClosedChannelException); null while it is up. Set under the lock. */
    private volatile Throwable lost;
    /** Callers waiting in drain(); made by the first one that has to wait (most connections never do). */
    private volatile Drainers drainers;
    /**
     * What {@code waitClosed()} copies: made by the first waitClosed() before the connection ended, else the end's
     * outcome ({@link #CLOSED_CLEANLY} or a failed future) set by {@link #settleClosed}; null until either (most
     * connections are never asked). Set under the lock.
     */
    private volatile CompletableFuture<Void> closed;

    WriterState(StreamsChannelHandler handler) {
        this.handler = handler;
    }

    /**
     * Refuses a write after close() or writeEof(). With or without the lock: see {@link WriteQueue}.
     *
     * @throws IllegalStateException when the writer no longer takes writes
     */
    void checkOpen() {
        int now = bits;
        if ((now & CLOSED) != 0) {
            throw new IllegalStateException("write after close(): " + handler.connectionName());
        }
        if ((now & EOF_WRITTEN) != 0) {
            throw new IllegalStateException("write after writeEof(): " + handler.connectionName());
        }
    }

    /** True once close() or abort() was called or the connection ended. */
    boolean isClosing() {
        return (bits & (CLOSED | ENDED)) != 0;
    }

    /** Why the connection is gone, or null while it is up. */
    Throwable lost() {
        return lost;
    }

    /**
     * Marks the writer closed.
     *
     * @return false when it was closed already
     */
    synchronized boolean markClosed() {
        if ((bits & CLOSED) != 0) {
            return false;
        }
        bits |= CLOSED;
        return true;
    }

    /**
     * Marks EOF written.
     *
     * @throws IllegalStateException after close(), or when EOF was written already
     */
    synchronized void markEof() {
        if ((bits & CLOSED) != 0) {
            throw new IllegalStateException("writeEof() after close(): " + handler.connectionName());
        }
        if ((bits & EOF_WRITTEN) != 0) {
            throw new IllegalStateException("writeEof() called twice: " + handler.connectionName());
        }
        bits |= EOF_WRITTEN;
    }

    /** Marks the connection ended (writes are dropped from now on). */
    synchronized void markEnded() {
        bits |= ENDED;
    }

    /**
     * Records why the connection is gone, unless a cause was recorded before: {@code cause}, or
     * {@link ClosedChannelException} for a clean end. Under the lock (the caller takes it, with what it detaches).
     */
    void lose(Throwable cause) {
        if (lost == null) {
            lost = cause != null ? cause : new ClosedChannelException();
        }
    }

    /** The callers waiting in drain() on {@code queue}, made by the first one (see {@link Drainers#drain}). */
    Drainers drainers(WriteQueue queue) {
        Drainers waiting = drainers;
        if (waiting == null) {
            synchronized (this) { // made once; no user code runs under the lock
                waiting = drainers;
                if (waiting == null) {
                    waiting = new Drainers(queue, this);
                    drainers = waiting;
                }
            }
        }
        return waiting;
    }

    /** {@code waitClosed()}: a copy of the connection's end, which settles when it ends (see {@link #settleClosed}). */
    CompletableFuture<Void> waitClosed() {
        CompletableFuture<Void> end = closed;
        if (end == null) {
            synchronized (this) { // made once; no user code runs under the lock
                end = closed;
                if (end == null) {
                    end = new CompletableFuture<>();
                    closed = end;
                }
            }
        }
        return end.copy();
    }

    /**
     * The connection ended, with {@code error} or cleanly (null): waitClosed() settles with it (the first end counts).
     * Its callers' callbacks run here, after the lock is released.
     */
    void settleClosed(Throwable error) {
        CompletableFuture<Void> waiting;
        synchronized (this) {
            waiting = closed;
            if (waiting == null) {
                closed = error == null ? CLOSED_CLEANLY : CompletableFuture.failedFuture(error);
                return;
            }
        }
        if (error == null) {
            waiting.complete(null);
        } else {
            waiting.completeExceptionally(error);
        }
    }

    /** Completes (or fails) the waiting drainers, if any, while the channel stays writable. No lock held. */
    void releaseDrainers() {
        Drainers waiting = drainers;
        if (waiting != null && waiting.any()) {
            waiting.release();
        }
    }
}
