package dev.streams.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * Every outbound buffer of one connection, from the write that copies the caller's bytes to {@code channel.write}:
 * the writer's queue and its state. {@link ChannelStreamWriter} is its face.
 *
 * <p><b>Buffer ownership.</b> Each write copies the caller's bytes into a buffer from the channel's allocator, and
 * small writes are gathered: consecutive writes share one buffer (of {@link #PENDING_CAPACITY} bytes) until it is full
 * or handed on, so that they cost one buffer and one outbound entry instead of one each. On the event loop that buffer
 * is the <em>pending</em> buffer, owned by this queue until it hands it to Netty with {@code channel.write} (before a
 * flush, before anything else is written, once it is full, or once it alone would make the channel unwritable). From
 * any other thread the buffers go into the {@link HandOff} queue, which owns them until the event loop takes them and
 * writes them to the channel. Once written to the channel, Netty owns a buffer and releases it once sent or when the
 * write fails; buffers never handed to Netty are released here when the connection is lost.
 *
 * <p><b>The carried handler thread.</b> Under {@code BlockingScheduler.EVENT_LOOP} a blocking handler runs on a
 * virtual thread that the connection's event loop carries. While it runs there it writes like the event loop, into
 * the pending buffer without the lock, but makes no channel call: a full pending buffer is set aside, still owned by
 * this queue, in the <em>gathered</em> list, and both go to the channel when the thread parks or returns
 * ({@link CarriedWrites}).
 *
 * <p><b>Flushes.</b> On the event loop, writes made while the handler is inside {@code channelRead} are flushed once
 * at {@code channelReadComplete}, and other writes once at the end of the event-loop turn (by this queue's task,
 * {@link #run}). From any other thread, the task, scheduled once however many writes come, writes the whole hand-off
 * queue and flushes once.
 *
 * <p><b>The lock</b> is the {@link WriterState}'s. Writes from other threads take it to check the state and queue their
 * bytes in one step. The event loop writes without it (see {@link #onLoopMaySend}) and only takes it to swap the
 * hand-off queue out, so no user code (an outbound handler that {@code channel.write} runs, a drainer's callback) ever
 * runs under it.
 */
final class WriteQueue implements Runnable {

    /**
     * The size of a buffer that gathers writes (see the class comment); a write of this size or more gets a buffer of
     * its own.
     */
    static final int PENDING_CAPACITY = 2048;

    private static final AtomicIntegerFieldUpdater<WriteQueue> PENDING_BYTES =
            AtomicIntegerFieldUpdater.newUpdater(WriteQueue.class, "pendingBytes");
    private static final AtomicIntegerFieldUpdater<WriteQueue> TASK_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(WriteQueue.class, "taskScheduled");
    private static final AtomicReferenceFieldUpdater<WriteQueue, HandOff> HANDOFF =
            AtomicReferenceFieldUpdater.newUpdater(WriteQueue.class, HandOff.class, "handOff");

    private final Channel channel;
    private final StreamsChannelHandler handler;
    /**
     * Writes from other threads on their way to the event loop; made by the first one, detached (set to null) under
     * the lock when the connection is gone.
     */
    private volatile HandOff handOff;
    /** Writes made on the event loop and not yet handed to the channel; owned by this queue. Event loop only. */
    private ByteBuf pending;
    /** The writes of the handler thread the event loop carries ({@code BlockingScheduler.EVENT_LOOP}); else null. */
    private CarriedWrites carriedWrites;
    /**
     * The readable bytes of {@link #pending} (and of the carried thread's gathered buffers), for {@code drain()} from
     * other threads. Written on the event loop with a release store (lazySet): cheap, and drain() needs no more than an
     * estimate — the bytes reach Netty's own (volatile) count of pending bytes when a buffer is handed to the channel.
     */
    private volatile int pendingBytes;
    /** 1 while this queue's task is scheduled and has not started. */
    private volatile int taskScheduled;
    /** Whether writes are taken, why the connection is gone, and the lock. */
    private final WriterState state;

    WriteQueue(Channel channel, StreamsChannelHandler handler, WriterState state) {
        this.channel = channel;
        this.handler = handler;
        this.state = state;
    }

    // ---------------------------------------------------------------------------------------------- writes

    /**
     * Queues {@code len} bytes from {@code array} at {@code off}, or the remaining bytes of {@code nio} (which is then
     * consumed, also when the bytes are dropped because the peer is gone).
     *
     * @throws IllegalStateException after close() or writeEof()
     */
    void write(byte[] array, int off, int len, ByteBuffer nio) {
        if (channel.eventLoop().inEventLoop()) {
            // No lock on the event loop: see onLoopMaySend.
            if (onLoopMaySend(len, nio)) {
                writeHandOff();
                copy(pendingBuffer(len), array, off, len, nio);
                afterPendingWrite(true);
            }
        } else if (carried() && carriedWrites.write(array, off, len, nio)) {
            // gathered, or refused or dropped as on the event loop; LoopCarrier flushes
        } else if (handOff().write(array, off, len, nio)) {
            scheduleTask();
        }
        failDrainersIfLost();
    }

    /**
     * Queues {@code data} without a copy; this queue owns it from the call on, and releases it when the write is
     * refused (then throws) or dropped (the peer is gone). On the event loop it goes to the channel at once, after
     * what was written before; from other threads through the hand-off queue.
     *
     * @throws IllegalStateException after close() or writeEof()
     */
    void writeOwned(ByteBuf data) {
        if (channel.eventLoop().inEventLoop()) {
            boolean send;
            try {
                send = onLoopMaySend(data.readableBytes(), null);
            } catch (IllegalStateException refused) {
                data.release(); // refused: never queued
                throw refused;
            }
            if (send) {
                writeHandOff();
                writePending();
                ServerCounters.written(handler.counters(), data); // metrics
                channel.write(data, channel.voidPromise()); // Netty owns data from here on
                flush();
            } else {
                data.release(); // nothing to send, or the peer is gone: drain() reports why
            }
        } else if (carried() && carriedWrites.writeOwned(data)) {
            // gathered, or refused or dropped as on the event loop; LoopCarrier flushes
        } else if (handOff().writeOwned(data)) {
            scheduleTask();
        }
        failDrainersIfLost();
    }

    /**
     * Queues each array in turn, with one flush.
     *
     * @throws IllegalStateException after close() or writeEof()
     */
    void writeLines(List<byte[]> all) {
        if (channel.eventLoop().inEventLoop()) {
            state.checkOpen(); // no lock on the event loop: see onLoopMaySend
            writeHandOff();
            for (byte[] line : all) {
                if (line.length > 0 && state.lost() == null) { // once the peer is gone the lines are dropped
                    pendingBuffer(line.length).writeBytes(line);
                    afterPendingWrite(false);
                }
            }
            flush();
        } else if (carried()) {
            state.checkOpen();
            for (byte[] line : all) {
                write(line, 0, line.length, null); // each gathered while this thread stays on its loop
            }
        } else if (handOff().writeLines(all)) {
            scheduleTask();
        }
        failDrainersIfLost();
    }

    /**
     * On the event loop, before a write into the pending buffer: refuses it after close() or writeEof(), and says
     * whether there is anything to send (when the peer is gone the bytes are dropped, and {@code nio} consumed;
     * drain() reports why).
     *
     * <p>The event loop needs no lock: only it touches the pending buffer, and close(), writeEof() and the
     * connection's end write or release that buffer on the event loop, after the write that is running now. A close()
     * from another thread that changes the state after this check therefore still finds these bytes and sends them
     * first. Without the lock, {@code channel.write} — which runs outbound handlers and listeners, that is user code —
     * never runs under it.
     */
    boolean onLoopMaySend(int len, ByteBuffer nio) {
        state.checkOpen();
        if (len > 0 && state.lost() == null) {
            return true;
        }
        if (nio != null) {
            nio.position(nio.limit());
        }
        return false;
    }

    static void copy(ByteBuf to, byte[] array, int off, int len, ByteBuffer nio) {
        if (array != null) {
            to.writeBytes(array, off, len);
        } else {
            to.writeBytes(nio);
        }
    }

    /**
     * The pending buffer with room for {@code len} more bytes, on the event loop: the current one when it has room,
     * else a new one (the current one is handed to the channel first, to keep the order). A write of
     * {@link #PENDING_CAPACITY} bytes or more gets a buffer of its exact size.
     */
    private ByteBuf pendingBuffer(int len) {
        while (true) {
            ByteBuf buf = pending;
            if (buf == null) {
                buf = channel.alloc().ioBuffer(Math.max(len, PENDING_CAPACITY)); // ours until writePending hands it on
                pending = buf;
                return buf;
            }
            if (buf.capacity() - buf.writerIndex() >= len) {
                return buf;
            }
            // channel.write may run user code (a failed write's exceptionCaught) that writes again and leaves a new
            // pending buffer: look again rather than overwrite it.
            writePending();
        }
    }

    /**
     * After a write into the pending buffer: publishes its size for drain(), hands it to the channel once it alone
     * would make the channel unwritable (from then on Netty's water marks and writability events take over), and
     * flushes soon when asked.
     */
    private void afterPendingWrite(boolean flush) {
        int size = pending.readableBytes();
        if (size >= PENDING_CAPACITY || size >= channel.bytesBeforeUnwritable()) {
            writePending();
        } else {
            PENDING_BYTES.lazySet(this, size);
        }
        if (flush) {
            flush();
        }
    }

    /** Hands the carried thread's gathered buffers, then the pending buffer, to the channel. Event loop only. */
    private void writePending() {
        if (carriedWrites != null) {
            carriedWrites.writeGathered(channel);
        }
        ByteBuf buf = pending;
        if (buf != null) {
            pending = null;
            ServerCounters.written(handler.counters(), buf); // metrics
            channel.write(buf, channel.voidPromise()); // Netty owns buf from here on (and counts it for drain())
        }
        ByteBuf again = pending; // a write made by user code that channel.write ran
        PENDING_BYTES.lazySet(this, again == null ? 0 : again.readableBytes());
    }

    /** Releases the gathered and pending buffers, which will never be written. Event loop only. */
    private void releasePending() {
        if (carriedWrites != null) {
            carriedWrites.releaseGathered();
        }
        if (pending != null) {
            pending.release(); // ours, never handed to the channel
            pending = null;
            PENDING_BYTES.lazySet(this, 0);
        }
    }

    // ---------------------------------------------------------------------------------- the carried thread

    /** True on the handler thread this connection's event loop carries, while it carries it (see CarriedWrites). */
    boolean carried() {
        CarriedWrites writes = carriedWrites;
        return writes != null && writes.onThisThread();
    }

    /** Under {@code BlockingScheduler.EVENT_LOOP}: the carried handler thread's writes, set before it starts. */
    void carriedBy(CarriedWrites writes) {
        this.carriedWrites = writes;
    }

    /** The pending buffer, for the carried thread (event loop only). */
    ByteBuf pending() {
        return pending;
    }

    /**
     * For the carried thread: makes {@code fresh} (or nothing) the pending buffer, and returns the one it replaces,
     * which the caller owns from now on. Event loop only.
     */
    ByteBuf swapPending(ByteBuf fresh) {
        ByteBuf old = pending;
        pending = fresh;
        return old;
    }

    /** Counts {@code len} gathered bytes for drain() (an estimate that stops at Integer.MAX_VALUE). */
    void countGathered(int len) {
        int total = pendingBytes + len;
        PENDING_BYTES.lazySet(this, total < 0 ? Integer.MAX_VALUE : total);
    }

    /** Metrics: the server's counters of this connection's event loop, or null on a client connection. */
    ServerCounters.Loop counters() {
        return handler.counters();
    }

    /** The hand-off queue as it is now, or null: read without the lock. */
    HandOff handOffIfAny() {
        return handOff;
    }


    // ---------------------------------------------------------------------------------- other threads

    /** The hand-off queue, made by the first write from another thread. */
    private HandOff handOff() {
        HandOff queued = handOff;
        if (queued == null) {
            HANDOFF.compareAndSet(this, null, new HandOff(state, channel.alloc()));
            queued = handOff;
        }
        return queued;
    }

    /** Flushes soon: at the end of the current read batch, else by this queue's task this event-loop turn. */
    private void flush() {
        if (channel.eventLoop().inEventLoop() && handler.deferFlushToReadComplete()) {
            return;
        }
        scheduleTask();
    }

    private void scheduleTask() {
        if (taskScheduled == 0 && TASK_SCHEDULED.compareAndSet(this, 0, 1)) {
            try {
                channel.eventLoop().execute(this);
            } catch (RejectedExecutionException loopGone) {
                taskScheduled = 0;
                abandon(loopGone);
            }
        }
    }

    /**
     * The event loop was shut down under a live connection: nothing queued will be written. The queue is released
     * and {@code cause} becomes the connection's failure (later writes are dropped, drain() fails with it); the
     * caller fails the waiting drainers once it holds no lock.
     */
    private void abandon(Throwable cause) {
        HandOff queued;
        synchronized (state) {
            state.lose(cause);
            queued = handOff;
            handOff = null;
        }
        if (queued != null) {
            queued.releaseAll();
        }
        if (channel.eventLoop().inEventLoop()) {
            releasePending();
        }
    }

    /**
     * Fails the waiting drainers once a write found the event loop gone ({@link #abandon}, which runs under the
     * lock): called after the lock is released, so that no drainer's callback runs under it.
     */
    private void failDrainersIfLost() {
        if (state.lost() != null) {
            releaseDrainers();
        }
    }

    // ---------------------------------------------------------------------------------- on the event loop

    /** This queue's task, on the event loop: writes the pending buffer and the hand-off queue out and flushes once. */
    @Override
    public void run() {
        taskScheduled = 0; // before the queue is read: a write that comes later schedules the next run
        flushNow();
    }

    /**
     * Writes everything queued and flushes, on the event loop. Drainers are looked at afterwards: the pending buffer
     * and the hand-off queue counted against drain() but may never have made the channel unwritable, in which case
     * no writability event will release them.
     */
    void flushNow() {
        writeQueued();
        channel.flush();
        state.releaseDrainers();
    }

    /** Writes, in order and without flushing, the pending buffer and then the hand-off queue. Event loop only. */
    void writeQueued() {
        writePending();
        writeHandOff();
    }

    /**
     * Writes what other threads queued, without flushing, after the pending buffer when there is something to
     * write: the event loop wrote the pending bytes before it took anything from the queue. Event loop only.
     */
    private void writeHandOff() {
        HandOff queued = handOff;
        if (queued == null || queued.bytes() == 0 || queued.writing) {
            // Nothing queued, checked without the lock. A write from another thread adds its bytes to this count
            // (under the lock) before it looks whether the task is scheduled: when it finds the flag set, a task is
            // queued and clears the flag before it gets here. All volatile, so either the write schedules the task
            // again, or the task sees the bytes here. (Other callers may miss bytes that the task then takes.)
            // `writing`: called again from user code that channel.write below ran; the batch being written goes first.
            return;
        }
        ArrayDeque<ByteBuf> batch = queued.takeAll(null); // no write may add to its buffers any more
        if (batch == null) {
            return;
        }
        writePending();
        queued.writing = true;
        ByteBuf buf;
        try {
            while ((buf = batch.poll()) != null) {
                int size = buf.readableBytes();
                ServerCounters.written(handler.counters(), buf); // metrics
                channel.write(buf, channel.voidPromise()); // Netty owns buf from here on
                queued.removed(size);
            }
        } finally {
            queued.writing = false;
            while ((buf = batch.poll()) != null) { // only when channel.write threw: the rest is never written
                queued.removed(buf.readableBytes());
                buf.release();
            }
        }
        queued.recycle(batch);
    }

    // ---------------------------------------------------------------------------------------------- drain

    /**
     * Below the high water mark, counting the bytes still in the pending buffer and the hand-off queue, and the
     * channel still active (a closing channel drops its queue, which makes it writable too).
     */
    boolean writable() {
        HandOff queued = handOff;
        long handedOff = queued == null ? 0 : queued.bytes();
        return channel.isActive() && handedOff + pendingBytes < channel.bytesBeforeUnwritable();
    }

    /** Completes (or fails) the waiting drainers while the channel stays writable; see {@link Drainers#release}. */
    void releaseDrainers() {
        state.releaseDrainers();
    }

    // ---------------------------------------------------------------------------------------------- closing

    /**
     * Runs {@code action} on the event loop after the pending buffer and the hand-off queue are written to the
     * channel. When the event loop is gone, the queue is released and {@code action} runs here (Netty fails what it
     * writes).
     */
    void afterQueuedWrites(Runnable action) {
        if (channel.eventLoop().inEventLoop()) {
            writeQueued();
            action.run();
        } else {
            try {
                channel.eventLoop().execute(() -> {
                    writeQueued();
                    action.run();
                });
            } catch (RejectedExecutionException loopShutDown) {
                abandon(loopShutDown);
                releaseDrainers();
                action.run(); // no loop to queue on: Netty fails the write itself
            }
        }
    }

    /**
     * The channel is gone: what the stream handler's removal from a live channel leaves is still sent, the rest
     * released; later writes are dropped and the drainers fail. Called once, on the event loop.
     */
    void connectionLost(Throwable error) {
        state.markEnded();
        if (channel.isOpen()) {
            flushNow(); // the stream handler was removed from a live channel: what was written still goes out
        }
        releasePending();
        HandOff queued;
        synchronized (state) {
            state.lose(error); // under the lock writes check it with: every write is either in this queue or refused
            queued = handOff;
            handOff = null;
        }
        if (queued != null) {
            queued.releaseAll();
        }
        releaseDrainers();
    }
}
