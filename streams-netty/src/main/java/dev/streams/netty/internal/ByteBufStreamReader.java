package dev.streams.netty.internal;

import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreamReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The reader of one connection: a read is answered from the buffer at once, or becomes the one waiting read (a
 * {@link ReadFuture}) that data, EOF or a failure answers; the channel handler feeds it.
 *
 * <p><b>Where things are.</b> A connection's reader is one object, in three layers of one job each: its superclasses
 * {@link UnreadBytes} (the buffer, the end of the stream, and asyncio's rules for answering a read from them) and
 * {@link ReadBackPressure} (what it tells its {@link ReadControl}: autoRead off above {@code 2 × limit}, on at
 * {@code limit}; its failing by itself), and this class: the reads and their arguments, the waiting read and who
 * claims it, feeding, EOF and failure. How bytes come in and go out of the network buffers (the one copy of the
 * {@code byte[]} reads) is {@link ReadBuffers}.
 *
 * <p><b>Buffer ownership.</b> {@link #feedData(ByteBuf)} hands each buffer to this reader, which owns it until a read
 * takes its bytes (see {@link UnreadBytes}); {@link #takeBuffered()} hands every unread byte back to the caller.
 *
 * <p><b>Threads.</b> Reads come from any thread, data from the event loop; one lock (the reader's monitor) guards the
 * state. Decisions are made under the lock; futures are completed, and the {@link ReadControl} is told, after it is
 * released, so user callbacks (and the outbound handlers that turning autoRead on runs) never run under it.
 *
 * <p><b>Memory.</b> When the heap cannot take the bytes a read or the end of the stream must copy (an
 * {@link OutOfMemoryError}: a limit larger than memory allows), the reader drops its unread bytes, fails with an
 * {@link IOException} whose cause is that error, and tells its control ({@link ReadControl#readerFailed}), which
 * closes the connection; the event loop and the other connections go on.
 *
 * <p><b>Feeding.</b> The channel handler feeds a connection's reader with {@link #feedData(ByteBuf)},
 * {@link #feedEof()} and {@link #setException}. Those are not part of the reader a connection hands out (no cast to
 * {@code FeedableStreamReader} reaches them on a live socket): only {@link Standalone}, made by
 * {@code NettyStreams.newReader}, is a {@code FeedableStreamReader}.
 */
public class ByteBufStreamReader extends ReadBackPressure implements NettyStreamReader {

    private static final byte[][] NEWLINE = {{'\n'}};

    /** The one read that waits for data, or null. Guarded by this (the reader's monitor), as the superclasses are. */
    private ReadFuture<?> waiter;

    /** A reader fed by hand (no source to stop): {@link ReadControl#NONE}. */
    public ByteBufStreamReader(int limit) {
        this(limit, ReadControl.NONE);
    }

    ByteBufStreamReader(int limit, ReadControl control) {
        super(limit, control);
    }

    // ---------------------------------------------------------------------------------------------- reads

    @Override
    public CompletableFuture<byte[]> read(int n) {
        if (n == 0) {
            return CompletableFuture.completedFuture(EMPTY);
        }
        return submit(n < 0 ? READ_ALL : READ, n, null, ARRAY, null);
    }

    @Override
    public CompletableFuture<Integer> read(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only: " + dst);
        }
        if (!dst.hasRemaining()) {
            return CompletableFuture.completedFuture(0);
        }
        return submit(READ, dst.remaining(), null, INTO, dst);
    }

    @Override
    public CompletableFuture<byte[]> readExactly(int n) {
        checkExactly(n);
        return n == 0 ? CompletableFuture.completedFuture(EMPTY) : submit(EXACTLY, n, null, ARRAY, null);
    }

    @Override
    public CompletableFuture<byte[]> readUntil(byte[]... separators) {
        return submit(UNTIL, 0, checkSeparators(separators), ARRAY, null);
    }

    @Override
    public CompletableFuture<byte[]> readLine() {
        return submit(LINE, 0, NEWLINE, ARRAY, null);
    }

    @Override
    public CompletableFuture<ByteBuf> readBuf(int n) {
        if (n == 0) {
            return CompletableFuture.completedFuture(Unpooled.EMPTY_BUFFER);
        }
        return submit(n < 0 ? READ_ALL : READ, n, null, BUF, null);
    }

    @Override
    public CompletableFuture<ByteBuf> readExactlyBuf(int n) {
        checkExactly(n);
        return n == 0 ? CompletableFuture.completedFuture(Unpooled.EMPTY_BUFFER) : submit(EXACTLY, n, null, BUF, null);
    }

    @Override
    public CompletableFuture<ByteBuf> readUntilBuf(byte[]... separators) {
        return submit(UNTIL, 0, checkSeparators(separators), BUF, null);
    }

    @Override
    public CompletableFuture<ByteBuf> readLineBuf() {
        return submit(LINE, 0, NEWLINE, BUF, null);
    }

    private static void checkExactly(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("readExactly size < 0: " + n);
        }
    }

    /** The separators, checked and copied (the caller may change its arrays afterwards). */
    private static byte[][] checkSeparators(byte[]... separators) {
        Objects.requireNonNull(separators, "separators");
        if (separators.length == 0) {
            throw new IllegalArgumentException("no separator given");
        }
        byte[][] copy = new byte[separators.length][];
        for (int i = 0; i < separators.length; i++) {
            byte[] separator = Objects.requireNonNull(separators[i], "separators[" + i + "]");
            if (separator.length == 0) {
                throw new IllegalArgumentException("separator " + i + " is empty");
            }
            copy[i] = separator.clone();
        }
        return copy;
    }

    /**
     * Answers a read at once when the buffer can, else makes it the waiting read.
     *
     * @param form what the answer is made of: {@link #ARRAY} ({@code byte[]}), {@link #BUF} ({@code ByteBuf}) or
     *             {@link #INTO} (an {@code Integer} count, the bytes copied into {@code dst})
     */
    private <T> CompletableFuture<T> submit(int kind, int n, byte[][] separators, int form, ByteBuffer dst) {
        Object outcome;
        ReadFuture<T> waiting = null;
        int signals;
        Throwable failed;
        synchronized (this) {
            outcome = answer(kind, n, separators, 0, form, dst);
            if (outcome == null) {
                if (waiter != null) {
                    outcome = new IllegalStateException("another read is already waiting on this stream");
                } else {
                    waiting = new ReadFuture<>(this, kind, n, separators, scanFrom(separators), form, dst);
                    waiter = waiting;
                }
            } else if (waiter != null) {
                // This read was answered at once, ahead of the waiting one, and may have taken bytes from the
                // front of the buffer: the waiter's search offset is relative to the unread bytes, so move it.
                waiter.scanFrom = scanFrom(waiter.separators);
            }
            updateReading(waiter != null);
            signals = takeSignals();
            failed = failure;
        }
        signal(signals, failed);
        return waiting != null ? waiting : ReadFuture.answered(outcome);
    }

    /**
     * {@link #attempt}, or the reader's failure when the heap cannot take the answer (the reader fails: see the class
     * comment). Called under the lock.
     */
    private Object answer(int kind, int n, byte[][] separators, int scanFrom, int form, ByteBuffer dst) {
        try {
            return attempt(kind, n, separators, scanFrom, form, dst);
        } catch (OutOfMemoryError e) {
            return outOfMemory(e, "for a read");
        }
    }

    // ---------------------------------------------------------------------------------------------- feeding

    public void feedData(ByteBuf data) {
        Objects.requireNonNull(data, "data");
        ReadFuture<?> completed = null;
        int signals;
        Throwable failed;
        synchronized (this) {
            if (eof) {
                data.release(); // ours since the call: release before refusing it
                throw new IllegalStateException("feedData after feedEof");
            }
            if (!data.isReadable()) {
                data.release();
                return;
            }
            try {
                append(data);
            } catch (OutOfMemoryError e) {
                outOfMemory(e, "for received data");
            }
            if (waiter == null) {
                updateReading(false);
            } else {
                completed = answerWaiter(false);
            }
            signals = takeSignals();
            failed = failure;
        }
        afterLock(completed, signals, failed);
    }

    public void feedData(byte[] data) {
        Objects.requireNonNull(data, "data");
        feedData(Unpooled.wrappedBuffer(data.clone()));
    }

    public void feedEof() {
        end(null);
    }

    public void setException(Throwable cause) {
        end(Objects.requireNonNull(cause, "cause"));
    }

    /**
     * What a feed does once it has left the lock: delivers the read it completed, if any (its outcome was set under
     * the lock by the claim; this thread's to deliver), then tells the source what changed.
     */
    private void afterLock(ReadFuture<?> completed, int signals, Throwable failed) {
        if (completed != null) {
            completed.deliver(completed.outcome);
        }
        signal(signals, failed);
    }

    /** EOF ({@code cause == null}) or failure: answers the waiting read from what is left. */
    private void end(Throwable cause) {
        ReadFuture<?> completed = null;
        int signals;
        Throwable failed;
        synchronized (this) {
            if (cause == null) {
                eof = true;
            } else if (failure == null) {
                failure = cause;
            }
            moveToHeap();
            if (waiter != null) {
                completed = answerWaiter(true);
            }
            signals = takeSignals();
            failed = failure;
        }
        afterLock(completed, signals, failed);
    }

    /**
     * Copies unread bytes off the network buffers (which are released) once no more data will come. When the heap
     * cannot take them, they are dropped and the reader fails ({@link #outOfMemory}). Called under the lock.
     */
    private void moveToHeap() {
        try {
            toHeap();
        } catch (OutOfMemoryError e) {
            outOfMemory(e, "to keep the unread bytes after the end of the stream");
        }
    }

    /**
     * Answers the waiting read from the buffer if it can now, and then claims it ({@link #claimWaiter}). Called under
     * the lock.
     *
     * @param atEnd whether the stream ended: EOF and failure answer every read, so one left unanswered is a bug,
     *              failed loudly rather than left hanging
     * @return the waiter, claimed with its answer in {@link ReadFuture#outcome}; null when it must go on waiting
     */
    private ReadFuture<?> answerWaiter(boolean atEnd) {
        ReadFuture<?> w = waiter;
        Object outcome = answer(w.kind, w.n, w.separators, w.scanFrom, w.form, w.dst);
        if (outcome == null && atEnd) {
            outcome = new IllegalStateException("read left waiting after the end of the stream");
        }
        if (outcome == null) {
            w.scanFrom = scanFrom(w.separators);
            return null;
        }
        return claimWaiter(outcome);
    }

    /**
     * The reader wins its waiter: nobody else may complete it now. The answer is kept with the claim, so that an
     * outside completion that loses the race can deliver it at once instead of returning before the future is done.
     * Called under the lock.
     */
    private ReadFuture<?> claimWaiter(Object outcome) {
        ReadFuture<?> claimed = waiter;
        claimed.claimed = true;
        claimed.outcome = outcome;
        waiter = null;
        updateReading(false);
        return claimed;
    }

    /** Somebody else completes {@code future}: free the slot, keep the bytes. False when the reader won already. */
    boolean claimFromOutside(ReadFuture<?> future) {
        int signals;
        synchronized (this) {
            if (future.claimed) {
                return false;
            }
            future.claimed = true;
            if (waiter == future) {
                waiter = null;
                updateReading(false);
            }
            signals = takeSignals();
        }
        signal(signals, null);
        return true;
    }

    // ---------------------------------------------------------------------------------------------- state

    /**
     * Removes every unread byte and returns it: <b>the caller owns the returned buffer</b>. STARTTLS uses it to hand
     * bytes that arrived with the plaintext (a ClientHello in the same packet as the STARTTLS line) to the TLS layer.
     */
    ByteBuf takeBuffered() {
        ByteBuf taken;
        int signals;
        synchronized (this) {
            taken = buffer;
            setBuffer(Unpooled.EMPTY_BUFFER);
            if (waiter != null) {
                waiter.scanFrom = 0; // the bytes it had searched are gone: search what comes next from its start
            }
            updateReading(waiter != null);
            signals = takeSignals();
        }
        signal(signals, null);
        return taken;
    }

    @Override
    public String toString() {
        synchronized (this) {
            return "StreamReader[limit=" + limit + ", buffered=" + buffer.readableBytes()
                    + (eof ? ", eof" : "") + (failure != null ? ", failed=" + failure : "")
                    + (waiter != null ? ", waiting" : "") + "]";
        }
    }

    /** A reader with no channel, fed by hand: the one kind of reader that is a {@link FeedableStreamReader}. */
    public static final class Standalone extends ByteBufStreamReader implements FeedableStreamReader {

        /**
         * @param limit the reader's limit
         * @throws IllegalArgumentException when {@code limit <= 0}
         */
        public Standalone(int limit) {
            super(limit);
        }
    }
}
