package dev.streams.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The writes of a blocking handler's virtual thread while its connection's event loop carries it
 * ({@code BlockingScheduler.EVENT_LOOP}, {@link LoopCarrier}): they gather in the {@link WriteQueue}'s pending buffer
 * like the event loop's own writes, without the queue's lock and without a wake-up, and go to the channel when the
 * thread parks or returns ({@link #flush}, called by the carrier on the event loop).
 *
 * <p>The thread runs on the loop's OS thread, between two of the loop's tasks, so it may touch what is "event loop
 * only" — but Netty's {@code inEventLoop()} is false for it, so it makes no channel call: a full pending buffer goes to
 * the queue's gathered list (the queue still owns it) instead of the channel.
 */
final class CarriedWrites {

    private final WriteQueue queue;
    private final LoopCarrier carrier;
    private final ByteBufAllocator alloc;
    /**
     * Full buffers (and files to send) of the thread's current run, in order, to be written before the queue's
     * pending buffer; owned by this object until {@link #writeGathered} hands them to the channel. Event loop only;
     * made when first needed.
     */
    private ArrayDeque<Object> gathered;

    CarriedWrites(WriteQueue queue, LoopCarrier carrier, ByteBufAllocator alloc) {
        this.queue = queue;
        this.carrier = carrier;
        this.alloc = alloc;
    }

    /** True on the handler thread, while the event loop carries it. */
    boolean onThisThread() {
        return carrier.carries(Thread.currentThread());
    }

    /**
     * A write of the carried thread. Taking the queue's lock and allocating a buffer may park the thread (a contended
     * lock), which ends its run: the loop may then flush, or close the writer, before the thread resumes — possibly
     * off the loop, when the loop is shutting down. So those calls come first, and the queue's state is read again and
     * changed only after them, with no park point in between.
     *
     * @return false, having taken nothing, when the thread resumed off its loop: the caller takes the path of other
     *         threads
     * @throws IllegalStateException after close() or writeEof()
     */
    boolean write(byte[] array, int off, int len, ByteBuffer nio) {
        if (!queue.onLoopMaySend(len, nio)) {
            return true; // nothing to send, or the peer is gone
        }
        takeHandOff(); // may park
        ByteBuf buf = queue.pending();
        ByteBuf fresh = buf == null || buf.capacity() - buf.writerIndex() < len
                ? alloc.ioBuffer(Math.max(len, WriteQueue.PENDING_CAPACITY)) // may park; ours until handed on
                : null;
        // No park point from here on.
        boolean send;
        try {
            send = onThisThread() && queue.onLoopMaySend(len, nio);
        } catch (IllegalStateException refused) { // closed while this thread waited
            if (fresh != null) {
                fresh.release(); // never used
            }
            throw refused;
        }
        if (!send) {
            if (fresh != null) {
                fresh.release(); // never used
            }
            return onThisThread(); // on the loop: dropped as the event loop drops it; off it: the caller queues it
        }
        if (fresh != null) {
            gather(queue.swapPending(fresh)); // the queue owns fresh; a flush may have taken the old one meanwhile
            buf = fresh;
        }
        WriteQueue.copy(buf, array, off, len, nio);
        queue.countGathered(len);
        return true;
    }

    /**
     * A buffer written without a copy by the carried thread: gathered after what it wrote before (the queue owns it
     * from the call on, and releases it when the write is refused or dropped).
     *
     * @return false, {@code data} still the caller's, when the thread resumed off its loop
     * @throws IllegalStateException after close() or writeEof()
     */
    boolean writeOwned(ByteBuf data) {
        int len = data.readableBytes();
        try {
            if (!queue.onLoopMaySend(len, null)) {
                data.release(); // nothing to send, or the peer is gone
                return true;
            }
            takeHandOff(); // may park
            if (!onThisThread()) {
                return false;
            }
            if (!queue.onLoopMaySend(len, null)) {
                data.release(); // the peer went while this thread waited
                return true;
            }
        } catch (IllegalStateException refused) {
            data.release(); // refused: never queued
            throw refused;
        }
        gather(queue.swapPending(null)); // what this thread wrote before goes first
        gather(data); // owned by this list until writeGathered hands it to the channel
        queue.countGathered(len);
        return true;
    }

    /**
     * Before the carried thread gathers a write: what other threads queued before it (the thread may have waited for
     * them without parking) goes to the gathered list first, after what this thread gathered so far — the carried
     * thread's {@code writeHandOff}. The queue owns those buffers again, until written.
     */
    private void takeHandOff() {
        HandOff queued = queue.handOffIfAny();
        if (queued == null || queued.isEmpty()) {
            return; // nothing queued (see WriteQueue.writeHandOff for why a check without the lock is enough)
        }
        ArrayDeque<Object> batch = queued.takeAll(this); // may park this thread (see write)
        if (batch == null) {
            return; // resumed off the loop: the queue stays for the loop's task; or nothing was queued
        }
        gather(queue.swapPending(null)); // the pending buffer first: it was written before the batch
        Object item;
        while ((item = batch.poll()) != null) {
            long size = FileSender.bytesOf(item);
            gather(item); // from the hand-off queue to this list, until writeGathered hands it to the channel
            queue.countGathered(size);
            queued.removed(size);
        }
        queued.recycle(batch); // event loop only (this thread runs on it)
    }

    /** Adds a full buffer or a file to send (if any), owned by this object from now on, to the gathered list. */
    private void gather(Object full) {
        if (full == null) {
            return;
        }
        if (gathered == null) {
            gathered = new ArrayDeque<>(4);
        }
        gathered.add(full);
    }

    /** Hands the gathered buffers and files to the channel, in order, without flushing. Event loop only. */
    void writeGathered() {
        Object item;
        while (gathered != null && (item = gathered.poll()) != null) {
            queue.toChannel(item); // Netty owns a buffer from here on
        }
    }

    /** Releases the gathered buffers and fails the files with {@code cause}: never to be written. Event loop only. */
    void releaseGathered(Throwable cause) {
        Object item;
        while (gathered != null && (item = gathered.poll()) != null) {
            HandOff.drop(item, cause); // ours, never handed to the channel
        }
    }

    /** On the event loop, after a run of the carried thread (it parked or returned): what it wrote goes out. */
    void flush() {
        if (queue.pending() != null || gathered != null && !gathered.isEmpty()) {
            queue.flushNow();
        }
    }
}
