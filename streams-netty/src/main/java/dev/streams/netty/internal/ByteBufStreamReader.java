package dev.streams.netty.internal;

import dev.streams.IncompleteReadException;
import dev.streams.LimitOverrunException;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreamReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.List;
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
 * state. Decisions are made under the lock and futures are completed after it is released, so user callbacks never run under it.
 *
 * <p><b>Back-pressure.</b> Above {@code 2 × limit} buffered bytes the {@link ReadControl} is told to stop; at
 * {@code limit} or below, or whenever a read waits, to read again.
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
    /** Components kept before a composite buffer merges them (a copy); high, since merging is what we avoid. */
    private static final int MAX_COMPONENTS = 1024;

    private final int limit;
    private final ReadControl control;

    // Guarded by this (the reader's monitor: no user code and no blocking run under it).
    /** Unread bytes, owned by this reader; Unpooled.EMPTY_BUFFER when there are none. */
    private ByteBuf buffer = Unpooled.EMPTY_BUFFER;
    private boolean eof;
    private Throwable failure;
    private ReadFuture<?> waiter;
    private boolean reading = true;
    /** Whether {@link #buffer} may be copied out through its cached ByteBuffer; see {@link #ownDirectBuffer}. */
    private boolean copyThroughNio;

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
        if (n == 0) {
            return CompletableFuture.completedFuture(EMPTY);
        }
        return submit(EXACTLY, n, null, ARRAY, null);
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
        if (n == 0) {
            return CompletableFuture.completedFuture(Unpooled.EMPTY_BUFFER);
        }
        return submit(EXACTLY, n, null, BUF, null);
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
        ReadFuture<T> waiting;
        synchronized (this) {
            outcome = attempt(kind, n, separators, 0, form, dst);
            if (outcome == null) {
                if (waiter != null) {
                    outcome = new IllegalStateException("another read is already waiting on this stream");
                } else {
                    waiting = new ReadFuture<>(this, kind, n, separators, scanFrom(separators), form, dst);
                    waiter = waiting;
                    updateReading();
                    return waiting;
                }
            } else {
                if (waiter != null) {
                    // This read was answered at once, ahead of the waiting one, and may have taken bytes from the
                    // front of the buffer: the waiter's search offset is relative to the unread bytes, so move it.
                    waiter.scanFrom = scanFrom(waiter.separators);
                }
                updateReading();
            }
        }
        return ReadFuture.answered(outcome);
    }

    /** Where a separator search that found nothing in the current buffer goes on from. Called under the lock. */
    private int scanFrom(byte[][] separators) {
        return separators == null ? 0 : Math.max(0, buffer.readableBytes() + 1 - maxLength(separators));
    }

    /**
     * Answers a read from the buffer if it can. Called under the lock. Consumes bytes only when it answers.
     *
     * @return the bytes ({@code byte[]}), the failure ({@code Throwable}), or {@code null} when it must wait
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

    /**
     * Takes {@code count} bytes out of the buffer in the read's form: a new array, a buffer the caller owns, or
     * copied into {@code dst} (the answer is then the count). Called under the lock.
     */
    private Object take(int count, int form, ByteBuffer dst) {
        if (form == ARRAY) {
            return take(count);
        }
        if (form == BUF) {
            return takeBuf(count);
        }
        // INTO: at most dst.remaining() bytes (count was capped by it), copied straight into the caller's memory.
        int limitBefore = dst.limit();
        dst.limit(dst.position() + count);
        try {
            buffer.readBytes(dst);
        } finally {
            dst.limit(limitBefore);
        }
        compact();
        return count;
    }

    /**
     * Hands {@code count} bytes over without copying: a retained slice of the network buffer, or for bytes spread
     * over several buffers a composite of retained slices of each. <b>The caller owns what is returned</b> (and
     * releases it); this reader keeps owning its buffer, which the slices keep alive after this reader releases it.
     * Called under the lock.
     */
    private ByteBuf takeBuf(int count) {
        if (count == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuf taken;
        if (buffer instanceof CompositeByteBuf) {
            // Not a slice of the composite itself: discardReadComponents moves the composite's indexes under it.
            List<ByteBuf> parts = ((CompositeByteBuf) buffer).decompose(buffer.readerIndex(), count);
            if (parts.size() == 1) {
                taken = parts.get(0).retain(); // a slice shares its network buffer's count: the caller's reference
            } else {
                CompositeByteBuf whole = buffer.alloc().compositeBuffer(parts.size());
                for (ByteBuf part : parts) {
                    whole.addComponent(true, part.retain()); // the composite owns the retained slices
                }
                taken = whole;
            }
            buffer.skipBytes(count);
        } else {
            taken = buffer.readRetainedSlice(count);
        }
        compact();
        return taken;
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
        ReadFuture<?> completed;
        Object outcome;
        synchronized (this) {
            if (eof) {
                data.release(); // ours since the call: release before refusing it
                throw new IllegalStateException("feedData after feedEof");
            }
            if (!data.isReadable()) {
                data.release();
                return;
            }
            append(data);
            if (waiter == null) {
                updateReading();
                return;
            }
            outcome = attempt(waiter.kind, waiter.n, waiter.separators, waiter.scanFrom, waiter.form, waiter.dst);
            if (outcome == null) {
                waiter.scanFrom = scanFrom(waiter.separators);
                return;
            }
            completed = claimWaiter(outcome);
        }
        completed.deliver(outcome);
    }

    public void feedData(byte[] data) {
        Objects.requireNonNull(data, "data");
        feedData(Unpooled.wrappedBuffer(data.clone()));
    }

    /** Takes ownership of {@code data} (readable) into the buffer. Called under the lock. */
    private void append(ByteBuf data) {
        if (!buffer.isReadable()) {
            buffer.release();
            setBuffer(data);
        } else if (buffer instanceof CompositeByteBuf) {
            ((CompositeByteBuf) buffer).addComponent(true, data);
        } else {
            CompositeByteBuf composite = data.alloc().compositeBuffer(MAX_COMPONENTS);
            composite.addComponent(true, buffer); // the composite now owns both buffers
            composite.addComponent(true, data);
            setBuffer(composite);
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
        synchronized (this) {
            if (cause == null) {
                eof = true;
            } else if (failure == null) {
                failure = cause;
            }
            moveToHeap();
            if (waiter != null) {
                outcome = attempt(waiter.kind, waiter.n, waiter.separators, waiter.scanFrom, waiter.form, waiter.dst);
                // EOF and failure answer every read; null here would be a bug, so fail loudly rather than hang.
                if (outcome == null) {
                    outcome = new IllegalStateException("read left waiting after the end of the stream");
                }
                completed = claimWaiter(outcome);
            }
        }
        if (completed != null) {
            completed.deliver(outcome);
        }
    }

    /** Copies unread bytes off the network buffers (which are released) once no more data will come. */
    private void moveToHeap() {
        if (!buffer.isReadable()) {
            buffer.release();
            setBuffer(Unpooled.EMPTY_BUFFER);
            return;
        }
        byte[] rest = new byte[buffer.readableBytes()];
        buffer.readBytes(rest);
        buffer.release();
        setBuffer(Unpooled.wrappedBuffer(rest)); // unpooled heap: no pooled memory held after the end
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
        synchronized (this) {
            if (future.claimed) {
                return false;
            }
            future.claimed = true;
            if (waiter == future) {
                waiter = null;
                updateReading();
            }
            return true;
        }
    }

    /**
     * Applies read-side back-pressure (see the class comment). Called under the lock. After EOF nothing is left to
     * read, so autoRead is no longer touched: on Netty 4.2.18's epoll transport, turning it back on after the input
     * was shut down while it was off fails ({@code epoll_ctl} ENOENT, thrown out of the read that asked).
     */
    private void updateReading() {
        if (eof) {
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
            control.setReading(want);
        }
    }

    // ---------------------------------------------------------------------------------------------- state

    @Override
    public boolean atEof() {
        synchronized (this) {
            return eof && !buffer.isReadable();
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
        synchronized (this) {
            ByteBuf taken = buffer;
            setBuffer(Unpooled.EMPTY_BUFFER);
            updateReading();
            return taken;
        }
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
