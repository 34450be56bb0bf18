package dev.streams.netty.internal;

import dev.streams.IncompleteReadException;
import dev.streams.LimitOverrunException;
import dev.streams.StreamReader;
import dev.streams.netty.FeedableStreamReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The reader of one connection: a buffer of {@link ByteBuf}s that reads are answered from.
 *
 * <p><b>Buffer ownership.</b> {@link #feedData(ByteBuf)} hands each buffer to this reader. While the stream is live
 * the bytes stay in the network buffers (one buffer, or a {@link CompositeByteBuf} of several, never merged by
 * copying) until a read copies them into the caller's {@code byte[]}; a buffer is released as soon as all its bytes
 * were read. At EOF or failure the bytes still unread are copied to an unpooled heap array and the network buffers
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
public class ByteBufStreamReader implements StreamReader {

    static final int READ = 0;
    static final int READ_ALL = 1;
    static final int EXACTLY = 2;
    static final int UNTIL = 3;
    static final int LINE = 4;

    private static final byte[] EMPTY = new byte[0];
    private static final byte[][] NEWLINE = {{'\n'}};
    /** Components kept before a composite buffer merges them (a copy); high, since merging is what we avoid. */
    private static final int MAX_COMPONENTS = 1024;
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
    private ReadFuture waiter;
    private boolean reading = true;
    /** Whether {@link #buffer} may be copied out through its cached ByteBuffer; see {@link #ownDirectBuffer}. */
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
        return submit(n < 0 ? READ_ALL : READ, n, null);
    }

    @Override
    public CompletableFuture<byte[]> readExactly(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("readExactly size < 0: " + n);
        }
        if (n == 0) {
            return CompletableFuture.completedFuture(EMPTY);
        }
        return submit(EXACTLY, n, null);
    }

    @Override
    public CompletableFuture<byte[]> readUntil(byte[]... separators) {
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
        return submit(UNTIL, 0, copy);
    }

    @Override
    public CompletableFuture<byte[]> readLine() {
        return submit(LINE, 0, NEWLINE);
    }

    private CompletableFuture<byte[]> submit(int kind, int n, byte[][] separators) {
        Object outcome;
        ReadFuture waiting = null;
        int signals;
        Throwable failed;
        synchronized (this) {
            outcome = answer(kind, n, separators, 0);
            if (outcome == null) {
                if (waiter != null) {
                    outcome = new IllegalStateException("another read is already waiting on this stream");
                } else {
                    waiting = new ReadFuture(this, kind, n, separators, scanFrom(separators));
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
        if (waiting != null) {
            return waiting;
        }
        return outcome instanceof byte[]
                ? CompletableFuture.completedFuture((byte[]) outcome)
                : CompletableFuture.failedFuture((Throwable) outcome);
    }

    /** Where a separator search that found nothing in the current buffer goes on from. Called under the lock. */
    private int scanFrom(byte[][] separators) {
        return separators == null ? 0 : Math.max(0, buffer.readableBytes() + 1 - maxLength(separators));
    }

    /**
     * {@link #attempt}, or the reader's failure when the heap cannot take the answer (the reader fails: see the class
     * comment). Called under the lock.
     */
    private Object answer(int kind, int n, byte[][] separators, int scanFrom) {
        try {
            return attempt(kind, n, separators, scanFrom);
        } catch (OutOfMemoryError e) {
            return outOfMemory(e, "for a read");
        }
    }

    /**
     * Answers a read from the buffer if it can. Called under the lock. Consumes bytes only when it answers; the copy
     * is allocated before anything is consumed, so an {@link OutOfMemoryError} leaves the buffer as it was.
     *
     * @return the bytes ({@code byte[]}), the failure ({@code Throwable}), or {@code null} when it must wait
     */
    private Object attempt(int kind, int n, byte[][] separators, int scanFrom) {
        int readable = buffer.readableBytes();
        switch (kind) {
            case READ:
                if (readable > 0) {
                    return take(Math.min(n, readable));
                }
                return eof && failure == null ? EMPTY : failure;
            case READ_ALL:
                if (failure != null) {
                    return failure;
                }
                return eof ? take(readable) : null;
            case EXACTLY:
                if (readable >= n) {
                    return take(n);
                }
                if (failure != null) {
                    return failure;
                }
                return eof ? new IncompleteReadException(take(readable), n) : null;
            default:
                return attemptUntil(kind == LINE, separators, scanFrom, readable);
        }
    }

    /** {@code readUntil} and {@code readLine}, with asyncio's limit rules. Called under the lock. */
    private Object attemptUntil(boolean line, byte[][] separators, int scanFrom, int readable) {
        int matchStart = -1;
        int matchEnd = Integer.MAX_VALUE;
        for (byte[] separator : separators) {
            int start = indexOf(separator, scanFrom);
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
            return take(matchEnd);
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
            byte[] partial = take(readable);
            return line ? partial : new IncompleteReadException(partial, -1);
        }
        return null;
    }

    /** The index (relative to the unread bytes) where {@code separator} first starts at or after {@code from}. */
    private int indexOf(byte[] separator, int from) {
        int base = buffer.readerIndex();
        int lastStart = buffer.writerIndex() - separator.length;
        byte first = separator[0];
        for (int i = base + from; i <= lastStart; i++) {
            i = buffer.indexOf(i, lastStart + 1, first);
            if (i < 0) {
                return -1;
            }
            if (matchesAt(separator, i)) {
                return i - base;
            }
        }
        return -1;
    }

    private boolean matchesAt(byte[] separator, int index) {
        for (int j = 1; j < separator.length; j++) {
            if (buffer.getByte(index + j) != separator[j]) {
                return false;
            }
        }
        return true;
    }

    private static int maxLength(byte[][] separators) {
        int max = 0;
        for (byte[] separator : separators) {
            max = Math.max(max, separator.length);
        }
        return max;
    }

    /** Copies {@code count} bytes out of the buffer: the one copy of the data path. Called under the lock. */
    private byte[] take(int count) {
        if (count == 0) {
            return EMPTY;
        }
        byte[] bytes = new byte[count];
        if (copyThroughNio) {
            // Copied through the buffer's cached ByteBuffer, since Netty's readBytes(byte[]) makes a ByteBuffer
            // duplicate per copy when it cannot use sun.misc.Unsafe (the default on JDK 24+).
            buffer.internalNioBuffer(buffer.readerIndex(), count).get(bytes);
            buffer.skipBytes(count);
        } else {
            buffer.readBytes(bytes);
        }
        compact();
        return bytes;
    }

    /** Makes {@code buf} the reader's buffer (it owns it from now on). Called under the lock. */
    private void setBuffer(ByteBuf buf) {
        buffer = buf;
        copyThroughNio = ownDirectBuffer(buf);
    }

    /**
     * Whether {@code buf}, handed to this reader, is a direct buffer that only this reader holds (as a socket read's
     * buffer is): then its cached ByteBuffer is ours to use. Not for heap buffers (readBytes is a plain array copy),
     * composites, derived buffers (slices and duplicates share a parent) or a buffer somebody else holds too.
     */
    private static boolean ownDirectBuffer(ByteBuf buf) {
        return !buf.hasArray() && buf.refCnt() == 1 && buf.unwrap() == null && !(buf instanceof CompositeByteBuf)
                && buf.nioBufferCount() == 1;
    }

    private void discard(int count) {
        buffer.skipBytes(count);
        compact();
    }

    /** Releases what was read: the whole buffer when it is empty, else the composite's read components. */
    private void compact() {
        if (!buffer.isReadable()) {
            buffer.release();
            setBuffer(Unpooled.EMPTY_BUFFER);
        } else if (buffer instanceof CompositeByteBuf) {
            ((CompositeByteBuf) buffer).discardReadComponents();
        }
    }

    // ---------------------------------------------------------------------------------------------- feeding

    public void feedData(ByteBuf data) {
        Objects.requireNonNull(data, "data");
        ReadFuture completed = null;
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
                outcome = answer(waiter.kind, waiter.n, waiter.separators, waiter.scanFrom);
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
     * Takes ownership of {@code data} (readable) into the buffer. Called under the lock. Even when it throws (the
     * composite's merge of its components, every {@link #MAX_COMPONENTS} reads, allocates), {@code data} is either
     * in {@link #buffer} or released.
     */
    private void append(ByteBuf data) {
        if (!buffer.isReadable()) {
            buffer.release();
            setBuffer(data);
        } else if (buffer instanceof CompositeByteBuf) {
            ((CompositeByteBuf) buffer).addComponent(true, data); // the composite owns data, even if this throws
        } else {
            CompositeByteBuf composite;
            try {
                composite = data.alloc().compositeBuffer(MAX_COMPONENTS);
            } catch (OutOfMemoryError e) {
                data.release(); // not handed on: still ours
                throw e;
            }
            composite.addComponent(true, buffer); // the composite now owns both buffers
            setBuffer(composite);
            composite.addComponent(true, data);
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
        ReadFuture completed = null;
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
                outcome = answer(waiter.kind, waiter.n, waiter.separators, waiter.scanFrom);
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
        if (!buffer.isReadable()) {
            buffer.release();
            setBuffer(Unpooled.EMPTY_BUFFER);
            return;
        }
        byte[] rest;
        try {
            rest = new byte[buffer.readableBytes()];
        } catch (OutOfMemoryError e) {
            outOfMemory(e, "to keep the unread bytes after the end of the stream");
            return;
        }
        buffer.readBytes(rest);
        buffer.release();
        setBuffer(Unpooled.wrappedBuffer(rest)); // unpooled heap: no pooled memory held after the end
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
    private ReadFuture claimWaiter(Object outcome) {
        ReadFuture claimed = waiter;
        claimed.claimed = true;
        claimed.outcome = outcome;
        waiter = null;
        updateReading();
        return claimed;
    }

    /** Somebody else completes {@code future}: free the slot, keep the bytes. False when the reader won already. */
    boolean claimFromOutside(ReadFuture future) {
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
