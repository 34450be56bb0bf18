package dev.streams.netty.internal;

import dev.streams.IncompleteReadException;
import dev.streams.LimitOverrunException;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreamReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The reader of one connection: a buffer of {@link ByteBuf}s that reads are answered from.
 *
 * <p><b>Buffer ownership.</b> {@link #feedData(ByteBuf)} hands each buffer to this reader. While the stream is live
 * the bytes stay in the network buffers (one buffer, or a {@link CompositeByteBuf} of several, never merged by
 * copying) until a read takes them: copied into a new {@code byte[]} or the caller's {@code ByteBuffer}, or handed
 * over as slices that the caller owns ({@link NettyStreamReader}); see {@link ReadBuffers}. A buffer is released as
 * soon as all its bytes were read. At EOF or failure the bytes still unread are copied to an unpooled heap array and the network buffers
 * are released, so a reader that is never read to the end holds no pooled memory once its connection is gone.
 *
 * <p><b>Threads.</b> Reads come from any thread, data from the event loop; one lock (the reader's monitor) guards the
 * state. Decisions are made under the lock; futures are completed, and the {@link ReadControl} is told, after it is
 * released, so user callbacks (and the outbound handlers that turning autoRead on runs) never run under it.
 *
 * <p><b>Back-pressure.</b> Above {@code 2 × limit} buffered bytes the reader wants its source to stop; at
 * {@code limit} or below, or whenever a read waits, to read again ({@link #autoReadWanted()}, told by
 * {@link ReadControl#readingChanged()}).
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
public class ByteBufStreamReader implements NettyStreamReader {

    static final int READ = 0;
    static final int READ_ALL = 1;
    static final int EXACTLY = 2;
    static final int UNTIL = 3;
    static final int LINE = 4;

    /** The answer is a new {@code byte[]}. */
    static final int ARRAY = 0;
    /** The answer is a {@code ByteBuf} the caller owns: slices of the network buffers, no copy. */
    static final int BUF = 1;
    /** The bytes are copied into the caller's {@code ByteBuffer}; the answer is their count. */
    static final int INTO = 2;

    private static final byte[] EMPTY = new byte[0];
    private static final byte[][] NEWLINE = {{'\n'}};
    /** {@link #pendingSignals}: the wanted autoRead changed. */
    private static final int READING_CHANGED = 1;
    /** {@link #pendingSignals}: the reader failed by itself (out of memory). */
    private static final int FAILED_ITSELF = 2;

    private final int limit;
    private final ReadControl control;

    // Guarded by this (the reader's monitor: no user code and no blocking run under it).
    /** Unread bytes, owned by this reader; Unpooled.EMPTY_BUFFER when there are none. */
    private ByteBuf buffer = Unpooled.EMPTY_BUFFER;
    private boolean eof;
    private Throwable failure;
    private ReadFuture<?> waiter;
    private boolean reading = true;
    /** Whether {@link #buffer} may be copied out through its cached ByteBuffer; see {@link ReadBuffers#ownDirectBuffer}. */
    private boolean copyThroughNio;
    /**
     * What the control must be told once the lock is released ({@link #READING_CHANGED}, {@link #FAILED_ITSELF}); the
     * thread that takes them ({@link #takeSignals}) tells them.
     */
    private int pendingSignals;
    /** Unread bytes were dropped for want of memory: the end of the stream was not read, so never {@link #atEof}. */
    private boolean dropped;

    /** A reader fed by hand (no source to stop): {@link ReadControl#NONE}. */
    public ByteBufStreamReader(int limit) {
        this(limit, ReadControl.NONE);
    }

    ByteBufStreamReader(int limit, ReadControl control) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit <= 0: " + limit);
        }
        this.limit = limit;
        this.control = control;
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
            updateReading();
            signals = takeSignals();
            failed = failure;
        }
        signal(signals, failed);
        return waiting != null ? waiting : ReadFuture.answered(outcome);
    }

    /** Where a separator search that found nothing in the current buffer goes on from. Called under the lock. */
    private int scanFrom(byte[][] separators) {
        return separators == null ? 0 : Math.max(0, buffer.readableBytes() + 1 - maxLength(separators));
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

    /**
     * Answers a read from the buffer if it can. Called under the lock. Consumes bytes only when it answers; the copy
     * is allocated before anything is consumed, so an {@link OutOfMemoryError} leaves the buffer as it was.
     *
     * @return the answer in the read's form, the failure ({@code Throwable}), or {@code null} when it must wait
     */
    private Object attempt(int kind, int n, byte[][] separators, int scanFrom, int form, ByteBuffer dst) {
        int readable = buffer.readableBytes();
        switch (kind) {
            case READ:
                if (readable > 0) {
                    return take(Math.min(n, readable), form, dst);
                }
                return eof && failure == null ? atEnd(form) : failure;
            case READ_ALL:
                if (failure != null) {
                    return failure;
                }
                return eof ? take(readable, form, dst) : null;
            case EXACTLY:
                if (readable >= n) {
                    return take(n, form, dst);
                }
                if (failure != null) {
                    return failure;
                }
                return eof ? new IncompleteReadException(take(readable), n) : null;
            default:
                return attemptUntil(kind == LINE, separators, scanFrom, readable, form);
        }
    }

    /** What {@code read} answers at EOF: an empty array or buffer, or -1 for a read into the caller's memory. */
    private static Object atEnd(int form) {
        return form == ARRAY ? EMPTY : form == BUF ? Unpooled.EMPTY_BUFFER : (Object) (-1);
    }

    /** {@code readUntil} and {@code readLine}, with asyncio's limit rules. Called under the lock. */
    private Object attemptUntil(boolean line, byte[][] separators, int scanFrom, int readable, int form) {
        int matchStart = -1;
        int matchEnd = Integer.MAX_VALUE;
        for (byte[] separator : separators) {
            int start = ReadBuffers.indexOf(buffer, separator, scanFrom);
            // The match that ends first wins; on a tie the shorter separator (the later start).
            if (start >= 0 && (start + separator.length < matchEnd
                    || start + separator.length == matchEnd && start > matchStart)) {
                matchStart = start;
                matchEnd = start + separator.length;
            }
        }
        if (matchStart >= 0) {
            if (matchStart > limit) {
                if (line) {
                    discard(matchEnd);
                }
                return new LimitOverrunException("Separator is found, but chunk is longer than limit", matchStart);
            }
            return take(matchEnd, form, null);
        }
        int cannotStart = Math.max(0, readable + 1 - maxLength(separators));
        if (cannotStart > limit) {
            if (line) {
                discard(readable);
            }
            return new LimitOverrunException("Separator is not found, and chunk exceed the limit", cannotStart);
        }
        if (failure != null) {
            return failure;
        }
        if (eof) {
            return line ? take(readable, form, null) : new IncompleteReadException(take(readable), -1);
        }
        return null;
    }

    private static int maxLength(byte[][] separators) {
        int max = 0;
        for (byte[] separator : separators) {
            max = Math.max(max, separator.length);
        }
        return max;
    }

    /**
     * Takes {@code count} bytes out of the buffer in the read's form (see {@link ReadBuffers}): a new array, a buffer
     * the caller owns, or copied into {@code dst} (the answer is then the count). Called under the lock.
     */
    private Object take(int count, int form, ByteBuffer dst) {
        Object taken;
        if (form == ARRAY) {
            taken = ReadBuffers.copy(buffer, count, copyThroughNio);
        } else if (form == BUF) {
            taken = ReadBuffers.slice(buffer, count);
        } else {
            ReadBuffers.copyInto(buffer, count, dst); // count was capped by dst.remaining()
            taken = count;
        }
        compact();
        return taken;
    }

    /** The {@code byte[]} form of {@link #take(int, int, ByteBuffer)}. Called under the lock. */
    private byte[] take(int count) {
        return (byte[]) take(count, ARRAY, null);
    }

    /** Makes {@code buf} the reader's buffer (it owns it from now on). Called under the lock. */
    private void setBuffer(ByteBuf buf) {
        buffer = buf;
        copyThroughNio = ReadBuffers.ownDirectBuffer(buf);
    }

    private void discard(int count) {
        buffer.skipBytes(count);
        compact();
    }

    /** Releases what was read: the whole buffer when it is empty, else the composite's read components. */
    private void compact() {
        ByteBuf left = ReadBuffers.compact(buffer);
        if (left != buffer) {
            setBuffer(left);
        }
    }

    // ---------------------------------------------------------------------------------------------- feeding

    public void feedData(ByteBuf data) {
        Objects.requireNonNull(data, "data");
        ReadFuture<?> completed = null;
        Object outcome = null;
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
                updateReading();
            } else {
                outcome = answer(waiter.kind, waiter.n, waiter.separators, waiter.scanFrom, waiter.form, waiter.dst);
                if (outcome == null) {
                    waiter.scanFrom = scanFrom(waiter.separators);
                } else {
                    completed = claimWaiter(outcome);
                }
            }
            signals = takeSignals();
            failed = failure;
        }
        if (completed != null) {
            completed.deliver(outcome);
        }
        signal(signals, failed);
    }

    public void feedData(byte[] data) {
        Objects.requireNonNull(data, "data");
        feedData(Unpooled.wrappedBuffer(data.clone()));
    }

    /**
     * Takes ownership of {@code data} (readable) into the buffer. Called under the lock. Even when it throws (see
     * {@link ReadBuffers#append}), {@code data} is either in {@link #buffer} or released.
     */
    private void append(ByteBuf data) {
        ByteBuf appended = ReadBuffers.append(buffer, data);
        if (appended != buffer) {
            setBuffer(appended);
        }
    }

    public void feedEof() {
        end(null);
    }

    public void setException(Throwable cause) {
        end(Objects.requireNonNull(cause, "cause"));
    }

    /** EOF ({@code cause == null}) or failure: answers the waiting read from what is left. */
    private void end(Throwable cause) {
        ReadFuture<?> completed = null;
        Object outcome = null;
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
                outcome = answer(waiter.kind, waiter.n, waiter.separators, waiter.scanFrom, waiter.form, waiter.dst);
                // EOF and failure answer every read; null here would be a bug, so fail loudly rather than hang.
                if (outcome == null) {
                    outcome = new IllegalStateException("read left waiting after the end of the stream");
                }
                completed = claimWaiter(outcome);
            }
            signals = takeSignals();
            failed = failure;
        }
        if (completed != null) {
            completed.deliver(outcome);
        }
        signal(signals, failed);
    }

    /**
     * Copies unread bytes off the network buffers (which are released) once no more data will come. When the heap
     * cannot take them, they are dropped and the reader fails ({@link #outOfMemory}). Called under the lock.
     */
    private void moveToHeap() {
        try {
            setBuffer(ReadBuffers.toHeap(buffer)); // unpooled heap: no pooled memory held after the end
        } catch (OutOfMemoryError e) {
            outOfMemory(e, "to keep the unread bytes after the end of the stream");
        }
    }

    /**
     * The heap (or the allocator) could not take what the reader needed: the unread bytes are dropped (their network
     * buffers released), the reader fails (unless it failed already) and its control will be told to close. Called
     * under the lock.
     *
     * @return the reader's failure, the answer for every read from now on
     */
    private Throwable outOfMemory(OutOfMemoryError error, String what) {
        int unread = buffer.readableBytes();
        buffer.release();
        setBuffer(Unpooled.EMPTY_BUFFER);
        dropped |= unread > 0;
        if (failure == null) {
            failure = new IOException("out of memory " + what + ": " + unread + " unread bytes dropped (reader limit "
                    + limit + ")", error);
        }
        pendingSignals |= FAILED_ITSELF;
        return failure;
    }

    /** Takes what the control must be told; the caller tells it after the lock ({@link #signal}). */
    private int takeSignals() {
        int signals = pendingSignals;
        pendingSignals = 0;
        return signals;
    }

    /** Tells the control what {@link #takeSignals} took. Called after the lock is released. */
    private void signal(int signals, Throwable failed) {
        if ((signals & FAILED_ITSELF) != 0) {
            control.readerFailed(failed);
        } else if ((signals & READING_CHANGED) != 0) {
            control.readingChanged();
        }
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
        updateReading();
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
                updateReading();
            }
            signals = takeSignals();
        }
        signal(signals, null);
        return true;
    }

    /**
     * Decides read-side back-pressure (see the class comment); the change is told to the control after the lock.
     * Called under the lock. After EOF or a failure nothing is left to read, so the wish no longer changes: on Netty
     * 4.2.18's epoll transport, turning autoRead back on after the input was shut down while it was off fails
     * ({@code epoll_ctl} ENOENT).
     */
    private void updateReading() {
        if (eof || failure != null) {
            return;
        }
        int size = buffer.readableBytes();
        boolean want;
        if (waiter != null || size <= limit) {
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
     * What the source's autoRead should be now: {@link Boolean#TRUE} or {@link Boolean#FALSE}, or {@code null} once
     * EOF was received or the reader failed (autoRead is then left as it is).
     */
    Boolean autoReadWanted() {
        synchronized (this) {
            return eof || failure != null ? null : Boolean.valueOf(reading);
        }
    }

    // ---------------------------------------------------------------------------------------------- state

    @Override
    public boolean atEof() {
        synchronized (this) {
            return eof && !buffer.isReadable() && !dropped;
        }
    }

    @Override
    public Throwable exception() {
        synchronized (this) {
            return failure;
        }
    }

    @Override
    public int limit() {
        return limit;
    }

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
            updateReading();
            signals = takeSignals();
        }
        signal(signals, null);
        return taken;
    }

    /** The number of unread bytes in the buffer (for tests and back-pressure checks). */
    public int buffered() {
        synchronized (this) {
            return buffer.readableBytes();
        }
    }

    /** Whether the reader wants its source to read (the autoRead it asked for). */
    public boolean isReading() {
        synchronized (this) {
            return reading;
        }
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
