package dev.streams.netty.internal;

import dev.streams.IncompleteReadException;
import dev.streams.LimitOverrunException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a {@link ByteBufStreamReader} holds — its unread bytes and how its stream ended — and asyncio's rules for
 * answering a read from them: {@code read(n)}, {@code read()} to EOF, {@code readExactly}, {@code readUntil} and
 * {@code readLine}, each in three forms (a new {@code byte[]}, a {@code ByteBuf} the caller owns, a copy into the
 * caller's {@code ByteBuffer}). The reader's lowest superclass rather than an object of its own, so that a
 * connection's reader stays one object; back-pressure is {@link ReadBackPressure}, the waiting read and feeding are
 * the reader's.
 *
 * <p><b>Buffer ownership.</b> The bytes stay in the network buffers (one buffer, or a {@link CompositeByteBuf} of
 * several, never merged by copying) until a read takes them: copied into a new {@code byte[]} or the caller's
 * {@code ByteBuffer}, or handed over as slices that the caller owns; see {@link ReadBuffers}. A buffer is released as
 * soon as all its bytes were read. At EOF or failure the bytes still unread are copied to an unpooled heap array
 * ({@link #toHeap}) and the network buffers are released, so a reader that is never read to the end holds no pooled
 * memory once its connection is gone.
 *
 * <p><b>Threads.</b> Every field here is guarded by the reader's lock (its monitor). The queries of what is held
 * ({@link #atEof()}, {@link #exception()}, {@link #buffered()}) take it; every other method is called with it held, and
 * runs no user code.
 */
abstract class UnreadBytes {

    /** A read's kind: {@code read(n)}, {@code n > 0}. */
    static final int READ = 0;
    /** A read's kind: {@code read()} (or {@code read(-1)}), everything up to EOF. */
    static final int READ_ALL = 1;
    static final int EXACTLY = 2;
    static final int UNTIL = 3;
    static final int LINE = 4;

    /** A read's form: the answer is a new {@code byte[]}. */
    static final int ARRAY = 0;
    /** A read's form: the answer is a {@code ByteBuf} the caller owns: slices of the network buffers, no copy. */
    static final int BUF = 1;
    /** A read's form: the bytes are copied into the caller's {@code ByteBuffer}; the answer is their count. */
    static final int INTO = 2;

    static final byte[] EMPTY = new byte[0];

    final int limit;

    // Guarded by the reader's monitor (no user code and no blocking run under it).
    /** Unread bytes, owned by the reader; Unpooled.EMPTY_BUFFER when there are none. */
    ByteBuf buffer = Unpooled.EMPTY_BUFFER;
    boolean eof;
    Throwable failure;
    /** Unread bytes were dropped for want of memory: the end of the stream was not read, so never {@code atEof}. */
    boolean dropped;
    /** Whether {@link #buffer} may be copied through its cached ByteBuffer ({@link ReadBuffers#ownDirectBuffer}). */
    private boolean copyThroughNio;

    UnreadBytes(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit <= 0: " + limit);
        }
        this.limit = limit;
    }

    // ------------------------------------------------------------------------- what is held (taking the lock)

    /** {@code StreamReader.atEof()}: EOF was fed and every byte before it was read. */
    public boolean atEof() {
        synchronized (this) {
            return eof && !buffer.isReadable() && !dropped;
        }
    }

    /** {@code StreamReader.exception()}: the failure every read reports from now on, or null. */
    public Throwable exception() {
        synchronized (this) {
            return failure;
        }
    }

    /** {@code StreamReader.limit()}. */
    public int limit() {
        return limit;
    }

    /** The number of unread bytes in the buffer (for tests and back-pressure checks). */
    public int buffered() {
        synchronized (this) {
            return buffer.readableBytes();
        }
    }

    // ------------------------------------------------------------------------- answering (under the lock)

    /**
     * Answers a read from the buffer if it can. Consumes bytes only when it answers; the copy is allocated before
     * anything is consumed, so an {@link OutOfMemoryError} leaves the buffer as it was.
     *
     * @param kind     {@link #READ}, {@link #READ_ALL}, {@link #EXACTLY}, {@link #UNTIL} or {@link #LINE}
     * @param n        the byte count of {@code READ} and {@code EXACTLY}
     * @param scanFrom where the separator search starts (see {@link #scanFrom})
     * @param form     what the answer is made of: {@link #ARRAY} ({@code byte[]}), {@link #BUF} ({@code ByteBuf}) or
     *                 {@link #INTO} (an {@code Integer} count, the bytes copied into {@code dst})
     * @return the answer in the read's form, the failure ({@code Throwable}), or {@code null} when it must wait
     */
    final Object attempt(int kind, int n, byte[][] separators, int scanFrom, int form, ByteBuffer dst) {
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

    /** {@code readUntil} and {@code readLine}, with asyncio's limit rules. */
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

    /**
     * Where a separator search that found nothing in the current buffer goes on from: bytes before it cannot start a
     * separator that ends in bytes still to come. 0 for a read without separators.
     */
    final int scanFrom(byte[][] separators) {
        return separators == null ? 0 : Math.max(0, buffer.readableBytes() + 1 - maxLength(separators));
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
     * the caller owns, or copied into {@code dst} (the answer is then the count).
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

    /** The {@code byte[]} form of {@link #take(int, int, ByteBuffer)}. */
    private byte[] take(int count) {
        return (byte[]) take(count, ARRAY, null);
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

    /** Makes {@code buf} the buffer (the reader owns it from now on). */
    final void setBuffer(ByteBuf buf) {
        buffer = buf;
        copyThroughNio = ReadBuffers.ownDirectBuffer(buf);
    }

    /**
     * Takes ownership of {@code data} (readable) into the buffer. Even when it throws (see {@link ReadBuffers#append}),
     * {@code data} is either in {@link #buffer} or released.
     */
    final void append(ByteBuf data) {
        ByteBuf appended = ReadBuffers.append(buffer, data);
        if (appended != buffer) {
            setBuffer(appended);
        }
    }

    /**
     * Copies the unread bytes off the network buffers (which are released), once no more data will come.
     *
     * @throws OutOfMemoryError when the heap cannot take them; the buffer is then as it was
     */
    final void toHeap() {
        setBuffer(ReadBuffers.toHeap(buffer)); // unpooled heap: no pooled memory held after the end
    }

    /**
     * The heap (or the allocator) could not take what the reader needed: the unread bytes are dropped (their network
     * buffers released) and the reader fails, unless it failed already.
     *
     * @return the reader's failure, the answer for every read from now on
     */
    final Throwable drop(OutOfMemoryError error, String what) {
        int unread = buffer.readableBytes();
        buffer.release();
        setBuffer(Unpooled.EMPTY_BUFFER);
        dropped |= unread > 0;
        if (failure == null) {
            failure = new IOException("out of memory " + what + ": " + unread + " unread bytes dropped (reader limit "
                    + limit + ")", error);
        }
        return failure;
    }
}
