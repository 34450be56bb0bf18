package dev.streams.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The hand-off queue of one connection's {@link WriteQueue}: the buffers written from threads other than the event
 * loop, on their way to it. Made by the first such write, so that connections served on the event loop carry none.
 *
 * <p><b>Buffer ownership.</b> The queue owns each buffer from the moment a write adds it until the event loop takes
 * the whole queue ({@link #takeAll}) and hands the buffers to the channel, or until {@link #releaseAll} releases
 * them because the connection is gone. A {@code sendFile} ({@link FileSend}) takes its place in the queue like a
 * buffer, so that it keeps its order with the writes around it, and so does a step ({@link #step}: STARTTLS). Small
 * writes are gathered: consecutive writes share the last buffer ({@link #tail}) while it has room; the event loop's
 * taking the queue closes that buffer to further writes.
 *
 * <p><b>Threads.</b> Writes take the {@link WriterState}'s lock to check that the writer takes them and queue their
 * bytes in one step; the event loop takes it to take the queue. Everything but {@link #bytes()} and the fields
 * marked "event loop only" is guarded by that lock.
 */
final class HandOff {

    private static final AtomicLongFieldUpdater<HandOff> BYTES = AtomicLongFieldUpdater.newUpdater(HandOff.class,
            "bytes");

    private final WriterState state;
    private final ByteBufAllocator alloc;

    /** The queued buffers (and files to send), in order. Guarded by the lock. */
    private ArrayDeque<Object> buffers = new ArrayDeque<>(4);
    /** The last of {@link #buffers} while later writes may still be added to it. Guarded by the lock. */
    private ByteBuf tail;
    /** The emptied queue of the last batch, swapped in at the next one. Event loop only. */
    private ArrayDeque<Object> spare;
    /** True while the event loop writes a batch out. Event loop only. */
    private boolean writing;
    /** The bytes queued: they count against the high water mark in {@code drain()}. */
    private volatile long bytes;
    /** The steps queued ({@link #step}) since the event loop last took the queue. Written under the lock. */
    private volatile int steps;

    HandOff(WriterState state, ByteBufAllocator alloc) {
        this.state = state;
        this.alloc = alloc;
    }

    /**
     * A write from a thread other than the event loop: {@code len} bytes of {@code array} at {@code off}, or the
     * remaining bytes of {@code nio} (consumed, also when they are dropped because the peer is gone). Small writes are
     * gathered into the last buffer; a large one is copied into a buffer of its own before the lock is taken.
     *
     * @return true when bytes were queued (the caller has the event loop take them)
     * @throws IllegalStateException after close() or writeEof()
     */
    boolean write(byte[] array, int off, int len, ByteBuffer nio) {
        if (len >= WriteQueue.PENDING_CAPACITY) {
            return writeWhole(array, off, len, nio);
        }
        synchronized (state) {
            state.checkOpen();
            if (len > 0 && state.lost() == null) {
                WriteQueue.copy(bufferFor(len), array, off, len, nio);
                added(len);
                return true;
            }
        }
        if (nio != null) {
            nio.position(nio.limit()); // nothing to send, or the peer is gone: drain() reports why
        }
        return false;
    }

    /**
     * A buffer written without a copy: the queue owns it from the call on (it is never gathered into), and releases it
     * when the write is refused (then throws) or dropped.
     *
     * @return true when it was queued
     * @throws IllegalStateException after close() or writeEof()
     */
    boolean writeOwned(ByteBuf data) {
        synchronized (state) {
            try {
                state.checkOpen();
            } catch (IllegalStateException refused) {
                data.release(); // refused: never queued
                throw refused;
            }
            if (!data.isReadable() || state.lost() != null) {
                data.release(); // nothing to send, or the peer is gone: drain() reports why
                return false;
            }
            buffers.add(data); // the queue owns it from here on
            tail = null; // not ours to write into: the next write starts a new buffer
            added(data.readableBytes());
            return true;
        }
    }

    /**
     * A {@code sendFile}: queued like a buffer (nothing is ever gathered into it), or not taken when the peer is gone.
     *
     * @return true when it was queued
     * @throws IllegalStateException after close() or writeEof()
     */
    boolean sendFile(FileSend send) {
        synchronized (state) {
            state.checkOpen();
            if (state.lost() != null) {
                return false; // the caller fails it, as drain() reports
            }
            buffers.add(send);
            send.take();
            tail = null;
            added(send.count);
            return true;
        }
    }

    /**
     * A step to run on the event loop in the write order — after every buffer queued before it, before any queued
     * after it (STARTTLS's, see {@link WriteQueue#inOrder}). Not taken when the peer is gone.
     *
     * @return true when it was queued
     */
    boolean step(Runnable step) {
        synchronized (state) {
            if (state.lost() != null) {
                return false;
            }
            buffers.add(step);
            tail = null; // later writes go after it
            steps++;
            return true;
        }
    }

    /**
     * Each array in turn, in one step under the lock (no other thread's write comes between them).
     *
     * @return true when bytes were queued
     * @throws IllegalStateException after close() or writeEof()
     */
    boolean writeLines(List<byte[]> lines) {
        boolean queued = false;
        synchronized (state) {
            state.checkOpen();
            for (byte[] line : lines) {
                if (line.length > 0 && state.lost() == null) { // once the peer is gone the lines are dropped
                    bufferFor(line.length).writeBytes(line);
                    added(line.length);
                    queued = true;
                }
            }
        }
        return queued;
    }

    /**
     * A large write: copied into a buffer of its own before the lock is taken (the event loop takes it too), which
     * goes to the end of the queue (the queue owns it from then on), or is released when the write is refused.
     */
    private boolean writeWhole(byte[] array, int off, int len, ByteBuffer nio) {
        ByteBuf own = alloc.ioBuffer(len);
        WriteQueue.copy(own, array, off, len, nio);
        synchronized (state) {
            try {
                state.checkOpen();
            } catch (IllegalStateException refused) {
                own.release(); // never handed over
                throw refused;
            }
            if (state.lost() != null) {
                own.release(); // the peer is gone: drain() reports why
                return false;
            }
            buffers.add(own); // the queue owns it from here on
            tail = null; // full: the next write starts a new buffer
            added(len);
            return true;
        }
    }

    /** The bytes queued, for {@code drain()}; read without the lock. */
    long bytes() {
        return bytes;
    }

    /** True when neither bytes nor steps are queued; read without the lock (see {@link #writeOut}). */
    boolean isEmpty() {
        return bytes == 0 && steps == 0;
    }

    /**
     * On the event loop: takes what is queued and hands it to {@code queue}'s channel, in order, without flushing,
     * after the pending buffer when there is something to write (the event loop writes the pending bytes before it
     * takes anything from this queue).
     */
    void writeOut(WriteQueue queue) {
        if (isEmpty() || writing) {
            // Nothing queued, checked without the lock. A write from another thread adds its bytes (or its step) to
            // these counts (under the lock) before it looks whether the task is scheduled: when it finds the flag set,
            // a task is queued and clears the flag before it gets here. All volatile, so either the write schedules the
            // task again, or the task sees the bytes here. (Other callers may miss bytes that the task then takes.)
            // `writing`: called again from user code that channel.write below ran; the batch being written goes first.
            return;
        }
        ArrayDeque<Object> batch = takeAll(null); // no write may add to its buffers any more
        if (batch == null) {
            return;
        }
        queue.writePending();
        writing = true;
        Object item;
        try {
            while ((item = batch.poll()) != null) {
                long size = FileSender.bytesOf(item);
                queue.toChannel(item); // Netty owns a buffer from here on
                removed(size);
            }
        } catch (RuntimeException | Error failed) {
            while ((item = batch.poll()) != null) { // channel.write threw: the rest is never written
                removed(FileSender.bytesOf(item));
                drop(item, failed);
            }
            throw failed;
        } finally {
            writing = false;
        }
        recycle(batch);
    }

    /**
     * The buffer with room for {@code len} more bytes: the last one while it has room, else a new one at the end of
     * the queue, which owns it from then on. Under the lock.
     */
    private ByteBuf bufferFor(int len) {
        ByteBuf last = tail;
        if (last != null && last.capacity() - last.writerIndex() >= len) {
            return last;
        }
        ByteBuf buf = alloc.ioBuffer(Math.max(len, WriteQueue.PENDING_CAPACITY));
        buffers.add(buf);
        tail = buf;
        return buf;
    }

    /** Counts {@code len} bytes just written into the queue, for {@code drain()}. Under the lock. */
    private void added(long len) {
        BYTES.addAndGet(this, len);
    }

    /** Counts {@code len} bytes gone from the queue (written to the channel or released). */
    void removed(long len) {
        BYTES.addAndGet(this, -len);
    }

    /**
     * Takes every queued buffer, in order, under the lock: the caller owns them from now on (and counts each one
     * {@link #removed} once it is gone), and no write adds to those buffers any more. On the event loop, or on the
     * handler thread it carries ({@code carried}: waiting for the lock may park that thread, which may then resume off
     * its loop and must take nothing).
     *
     * @param carried for the carried thread, its writes (checked under the lock); null on the event loop
     * @return the buffers, or null when there were none (or the carried thread is no longer on its loop)
     */
    ArrayDeque<Object> takeAll(CarriedWrites carried) {
        synchronized (state) {
            ArrayDeque<Object> batch = buffers;
            if (batch.isEmpty() || carried != null && !carried.onThisThread()) {
                return null;
            }
            tail = null;
            steps = 0;
            buffers = spare != null ? spare : new ArrayDeque<>(4);
            spare = null;
            return batch;
        }
    }

    /** Gives back an emptied batch for reuse by the next {@link #takeAll}. Event loop only. */
    void recycle(ArrayDeque<Object> emptied) {
        spare = emptied;
    }

    /**
     * Releases what is still queued, and fails the files to send with {@code cause}: they will never be written.
     * Called, without the lock, once the queue was detached from its writer (under the lock), so that no write can
     * add to it any more.
     */
    void releaseAll(Throwable cause) {
        Object unsent;
        while ((unsent = buffers.poll()) != null) {
            removed(FileSender.bytesOf(unsent));
            drop(unsent, cause);
        }
    }

    /** Releases a buffer (owned by the caller) that will never be written, or fails a file to send with cause. */
    static void drop(Object unsent, Throwable cause) {
        if (unsent instanceof FileSend) {
            ((FileSend) unsent).fail(cause);
        } else if (unsent instanceof Runnable) {
            ((Runnable) unsent).run(); // a step: on a dead channel it only fails
        } else {
            ((ByteBuf) unsent).release();
        }
    }
}
