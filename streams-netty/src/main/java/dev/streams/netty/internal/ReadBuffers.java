package dev.streams.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The bytes a {@link ByteBufStreamReader} holds, and every way they come in and go out: network buffers appended
 * without a copy (one buffer, or a {@link CompositeByteBuf} of several), the separator search, and the three forms a
 * read takes bytes out in — a new {@code byte[]} (the one copy of the {@code byte[]} reads), a {@code ByteBuf} handed
 * to the caller without a copy, or a copy into the caller's {@code ByteBuffer}.
 *
 * <p>Static, without state of its own (a reader's buffer costs no object more): each method works on the reader's
 * buffer, which it is given, and returns the buffer the reader holds from then on where that may change. Called under
 * the reader's lock. <b>Ownership:</b> the reader owns its buffer; {@link #append} takes over {@code data};
 * {@link #slice} returns a buffer the caller owns; {@link #compact} and {@link #toHeap} release what is no longer
 * needed.
 */
final class ReadBuffers {

    private static final byte[] EMPTY = new byte[0];
    /** Components kept before a composite buffer merges them (a copy); high, since merging is what we avoid. */
    static final int MAX_COMPONENTS = 1024;

    private ReadBuffers() {
    }

    /**
     * Appends {@code data} (readable; ownership passes with the call) to {@code buffer}.
     *
     * @return the buffer the reader holds from now on: {@code data} itself when nothing was unread, else a composite
     *         of both. Even when this throws (an {@link OutOfMemoryError} from the composite's allocation or its merge,
     *         every {@link #MAX_COMPONENTS} reads), {@code data} is either in the buffer or released
     */
    static ByteBuf append(ByteBuf buffer, ByteBuf data) {
        if (!buffer.isReadable()) {
            buffer.release();
            return data;
        }
        if (buffer instanceof CompositeByteBuf) {
            ((CompositeByteBuf) buffer).addComponent(true, data); // the composite owns data, even if this throws
            return buffer;
        }
        CompositeByteBuf composite;
        try {
            composite = data.alloc().compositeBuffer(MAX_COMPONENTS);
        } catch (OutOfMemoryError e) {
            data.release(); // not handed on: still ours
            throw e;
        }
        composite.addComponent(true, buffer); // the composite now owns both buffers
        composite.addComponent(true, data);
        return composite;
    }

    /** The index (relative to the unread bytes) where {@code separator} first starts at or after {@code from}. */
    static int indexOf(ByteBuf buffer, byte[] separator, int from) {
        int base = buffer.readerIndex();
        int lastStart = buffer.writerIndex() - separator.length;
        byte first = separator[0];
        for (int i = base + from; i <= lastStart; i++) {
            i = indexOf(buffer, i, lastStart + 1, first);
            if (i < 0) {
                return -1;
            }
            if (matchesAt(buffer, separator, i)) {
                return i - base;
            }
        }
        return -1;
    }

    /**
     * {@code buffer.indexOf(from, to, value)}, searched a component at a time when {@code buffer} is a composite:
     * Netty's search over a composite looks its component up again for every 8 bytes it reads.
     */
    private static int indexOf(ByteBuf buffer, int from, int to, byte value) {
        if (!(buffer instanceof CompositeByteBuf) || from >= to) {
            return buffer.indexOf(from, to, value);
        }
        CompositeByteBuf composite = (CompositeByteBuf) buffer;
        for (int c = composite.toComponentIndex(from); from < to; c++) {
            int start = composite.toByteIndex(c);
            ByteBuf part = composite.internalComponent(c); // the composite's own slice: not retained, not ours
            int end = Math.min(to, start + part.readableBytes());
            int shift = part.readerIndex() - start;
            int found = part.indexOf(from + shift, end + shift, value);
            if (found >= 0) {
                return found - shift;
            }
            from = end;
        }
        return -1;
    }

    private static boolean matchesAt(ByteBuf buffer, byte[] separator, int index) {
        for (int j = 1; j < separator.length; j++) {
            if (buffer.getByte(index + j) != separator[j]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies {@code count} bytes out into a new array and advances past them: the one copy of the {@code byte[]}
     * reads. The array is allocated before anything is consumed, so an {@link OutOfMemoryError} leaves the buffer as
     * it was.
     *
     * @param throughNio copy through the buffer's cached ByteBuffer (see {@link #ownDirectBuffer})
     */
    static byte[] copy(ByteBuf buffer, int count, boolean throughNio) {
        if (count == 0) {
            return EMPTY;
        }
        byte[] bytes = new byte[count];
        if (throughNio) {
            // Copied through the buffer's cached ByteBuffer, since Netty's readBytes(byte[]) makes a ByteBuffer
            // duplicate per copy when it cannot use sun.misc.Unsafe (the default on JDK 24+). A slice handed out by
            // readBuf does not share it: a slice's NIO view is a duplicate of its own (Netty 4.2, every allocator).
            buffer.internalNioBuffer(buffer.readerIndex(), count).get(bytes);
            buffer.skipBytes(count);
        } else {
            buffer.readBytes(bytes);
        }
        return bytes;
    }

    /**
     * Hands {@code count} bytes over without copying and advances past them: a retained slice of the network buffer,
     * or for bytes spread over several buffers a composite of retained slices of each. <b>The caller owns what is
     * returned</b> (and releases it); the slices keep their network buffers alive after the reader releases them.
     */
    static ByteBuf slice(ByteBuf buffer, int count) {
        if (count == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        if (!(buffer instanceof CompositeByteBuf)) {
            return buffer.readRetainedSlice(count);
        }
        // Not a slice of the composite itself: discardReadComponents moves the composite's indexes under it.
        List<ByteBuf> parts = ((CompositeByteBuf) buffer).decompose(buffer.readerIndex(), count);
        ByteBuf taken;
        if (parts.size() == 1) {
            taken = parts.get(0).retain(); // a slice shares its network buffer's count: the caller's reference
        } else {
            CompositeByteBuf whole = buffer.alloc().compositeBuffer(parts.size()); // before any retain: may throw
            for (ByteBuf part : parts) {
                whole.addComponent(true, part.retain()); // the composite owns the retained slices
            }
            taken = whole;
        }
        buffer.skipBytes(count);
        return taken;
    }

    /** Copies {@code count} bytes (at most {@code dst.remaining()}) into {@code dst}, advancing both. */
    static void copyInto(ByteBuf buffer, int count, ByteBuffer dst) {
        int limitBefore = dst.limit();
        dst.limit(dst.position() + count);
        try {
            buffer.readBytes(dst);
        } finally {
            dst.limit(limitBefore);
        }
    }

    /**
     * Releases what was read.
     *
     * @return {@link Unpooled#EMPTY_BUFFER} when nothing is left (the buffer was released), else the buffer (a
     *         composite drops the components read to the end)
     */
    static ByteBuf compact(ByteBuf buffer) {
        if (!buffer.isReadable()) {
            buffer.release();
            return Unpooled.EMPTY_BUFFER;
        }
        if (buffer instanceof CompositeByteBuf) {
            ((CompositeByteBuf) buffer).discardReadComponents();
        }
        return buffer;
    }

    /**
     * The unread bytes copied off the network buffers, which are released: an unpooled heap buffer, so that a reader
     * that is never read to the end holds no pooled memory once no more data will come. A buffer that is one already
     * stays as it is.
     *
     * @throws OutOfMemoryError when the heap cannot take them; the buffer is then as it was
     */
    static ByteBuf toHeap(ByteBuf buffer) {
        if (!buffer.isReadable()) {
            buffer.release();
            return Unpooled.EMPTY_BUFFER;
        }
        if (buffer instanceof UnpooledHeapByteBuf) {
            return buffer; // copied already (EOF, then close_notify or the channel's end, each end here) or fed so
        }
        byte[] rest = new byte[buffer.readableBytes()];
        buffer.readBytes(rest);
        buffer.release();
        return Unpooled.wrappedBuffer(rest);
    }

    /**
     * Whether {@code buf}, handed to a reader, is a direct buffer that only the reader holds (as a socket read's
     * buffer is): then its cached ByteBuffer is the reader's to use. Not for heap buffers (readBytes is a plain array
     * copy), composites, derived buffers (slices and duplicates share a parent) or a buffer somebody else holds too.
     */
    static boolean ownDirectBuffer(ByteBuf buf) {
        return !buf.hasArray() && buf.refCnt() == 1 && buf.unwrap() == null && !(buf instanceof CompositeByteBuf)
                && buf.nioBufferCount() == 1;
    }
}
