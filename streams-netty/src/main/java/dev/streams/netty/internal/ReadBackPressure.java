package dev.streams.netty.internal;

/**
 * What a {@link ByteBufStreamReader} tells its {@link ReadControl}: read-side back-pressure — when the reader wants
 * its source to stop reading (a channel's autoRead off) and when to read again — and its failing by itself for want
 * of memory. A superclass of the reader, over {@link UnreadBytes}, rather than an object of its own: a connection's
 * reader stays one object.
 *
 * <p><b>The rule.</b> Above {@code 2 × limit} buffered bytes the reader wants its source to stop; at {@code limit} or
 * below, or whenever a read waits, to read again; in between it keeps its wish, so that a reader near its limit does
 * not turn autoRead on and off at every read. After EOF or a failure nothing is left to read, so the wish no longer
 * changes: on Netty 4.2.18's epoll transport, turning autoRead back on after the input was shut down while it was off
 * fails ({@code epoll_ctl} ENOENT).
 *
 * <p><b>Threads.</b> Decided under the reader's lock (its monitor), which guards these fields too; told after it is
 * released, since acting on a signal runs other code (turning autoRead on runs every outbound handler's
 * {@code read()}; a failure closes the channel). The thread that takes the signals ({@link #takeSignals}) tells them
 * ({@link #signal}).
 */
abstract class ReadBackPressure extends UnreadBytes {

    /** A signal owed to the control: the wanted autoRead changed ({@link ReadControl#readingChanged}). */
    private static final int READING_CHANGED = 1;
    /** A signal owed to the control: the reader failed by itself, out of memory ({@link ReadControl#readerFailed}). */
    private static final int FAILED_ITSELF = 2;

    private final ReadControl control;

    // Guarded by the reader's monitor.
    /** The autoRead the reader wants. */
    private boolean reading = true;
    /** What the control must be told once the lock is released ({@link #READING_CHANGED}, {@link #FAILED_ITSELF}). */
    private int pendingSignals;

    ReadBackPressure(int limit, ReadControl control) {
        super(limit);
        this.control = control;
    }

    /**
     * Decides read-side back-pressure (see the class comment); a change is told to the control after the lock. Called
     * under the lock.
     *
     * @param waiting whether a read waits for data
     */
    final void updateReading(boolean waiting) {
        if (eof || failure != null) {
            return;
        }
        int size = buffer.readableBytes();
        boolean want;
        if (waiting || size <= limit) {
            want = true;
        } else if (size > 2L * limit) {
            want = false;
        } else {
            want = reading;
        }
        if (want != reading) {
            reading = want;
            pendingSignals |= READING_CHANGED;
        }
    }

    /**
     * The heap (or the allocator) could not take what the reader needed: the unread bytes are dropped, the reader
     * fails ({@link UnreadBytes#drop}) and its control will be told, to close the connection. Called under the lock.
     *
     * @return the reader's failure, the answer for every read from now on
     */
    final Throwable outOfMemory(OutOfMemoryError error, String what) {
        pendingSignals |= FAILED_ITSELF;
        return drop(error, what);
    }

    /** Takes what the control must be told; the caller tells it after the lock ({@link #signal}). */
    final int takeSignals() {
        int signals = pendingSignals;
        pendingSignals = 0;
        return signals;
    }

    /**
     * Tells the control what {@link #takeSignals} took. Called after the lock is released.
     *
     * @param failed the reader's failure, told when the reader failed by itself
     */
    final void signal(int signals, Throwable failed) {
        if ((signals & FAILED_ITSELF) != 0) {
            control.readerFailed(failed);
        } else if ((signals & READING_CHANGED) != 0) {
            control.readingChanged();
        }
    }

    /**
     * What the source's autoRead should be now: {@link Boolean#TRUE} or {@link Boolean#FALSE}, or {@code null} once
     * EOF was received or the reader failed (autoRead is then left as it is).
     */
    Boolean autoReadWanted() {
        synchronized (this) {
            return eof || failure != null ? null : Boolean.valueOf(reading);
        }
    }

    /** Whether the reader wants its source to read (the autoRead it asked for). */
    public boolean isReading() {
        synchronized (this) {
            return reading;
        }
    }
}
