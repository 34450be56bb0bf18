package dev.streams.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * Every outbound buffer of one connection, from the write that copies the caller's bytes to {@code channel.write}:
 * the writer's queue and its state. {@link ChannelStreamWriter} is its face.
 *
 * <p><b>Buffer ownership.</b> Each write copies the caller's bytes into a buffer from the channel's allocator, and
 * small writes are gathered into shared buffers. On the event loop (and on the handler thread it carries) that is the
 * <em>pending</em> buffer of {@link PendingWrites}, which this class extends. From any other thread the buffers go into
 * the {@link HandOff} queue, which owns them until the event loop takes them and writes them to the channel. Once
 * written to the channel, Netty owns a buffer and releases it once sent or when the write fails; buffers never handed
 * to Netty are released here when the connection is lost. Files ({@code sendFile}) travel the same queues, in order
 * with the writes, to the {@link FileSender}, the channel's door once the connection sent a file.
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
final class WriteQueue extends PendingWrites implements Runnable {

    private static final AtomicIntegerFieldUpdater<WriteQueue> TASK_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(WriteQueue.class, "taskScheduled");
    private static final AtomicReferenceFieldUpdater<WriteQueue, HandOff> HANDOFF =
            AtomicReferenceFieldUpdater.newUpdater(WriteQueue.class, HandOff.class, "handOff");
    private static final AtomicReferenceFieldUpdater<WriteQueue, FileSender> FILES =
            AtomicReferenceFieldUpdater.newUpdater(WriteQueue.class, FileSender.class, "files");

    /** The connection's stream handler (read by the writer's face too). */
    final StreamsChannelHandler handler;
    /**
     * Writes from other threads on their way to the event loop; made by the first one, detached (set to null) under
     * the lock when the connection is gone.
     */
    private volatile HandOff handOff;
    /** The files being sent, and the channel's door while one goes in chunks; made by the first sendFile. */
    private volatile FileSender files;
    /** 1 while this queue's task is scheduled and has not started. */
    private volatile int taskScheduled;

    WriteQueue(Channel channel, StreamsChannelHandler handler, WriterState state) {
        super(channel, state);
        this.handler = handler;
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
                toChannel(data); // Netty owns data from here on
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
     * Queues a {@code sendFile} in order with the writes (see {@link FileSender}); when the peer is gone it fails at
     * once with the connection's cause.
     *
     * @throws IllegalStateException after close() or writeEof()
     */
    void sendFile(FileSend send) {
        FileSender sender = files(); // before the send is queued: whoever hands it to the channel finds it
        if (channel.eventLoop().inEventLoop()) {
            if (onLoopMaySend(1, null)) {
                send.take();
                writeHandOff();
                writePending();
                sender.send(send);
                flush();
            }
        } else if (handOff().sendFile(send)) {
            // A carried thread's too: its next write takes the hand-off queue after what it gathered, and so does
            // its flush when it parks, so the order holds.
            scheduleTask();
        }
        if (!send.taken()) {
            send.fail(state.lost()); // dropped: the peer is gone (no lock held)
        }
        failDrainersIfLost();
    }

    /** The files' sender, made by the first sendFile. */
    private FileSender files() {
        FileSender made = files;
        if (made == null) {
            FILES.compareAndSet(this, null, new FileSender(channel, state, counters()));
            made = files;
        }
        return made;
    }

    /** Through the files' door once there is one: while a file goes in chunks, what follows waits behind it. */
    @Override
    void toChannel(Object item) {
        FileSender sender = files;
        if (sender != null) {
            sender.send(item);
        } else if (item instanceof Runnable) {
            ((Runnable) item).run(); // a step in the write order (inOrder)
        } else {
            ServerCounters.written(counters(), (ByteBuf) item); // metrics; without a file sender items are buffers
            channel.write(item, channel.voidPromise());
        }
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

    /** Metrics: the server's counters of this connection's event loop, or null on a client connection. */
    ServerCounters.Loop counters() {
        return handler.counters();
    }

    /** The hand-off queue as it is now, or null: read without the lock. */
    HandOff handOffIfAny() {
        return handOff;
    }

    /** Flushes soon: at the end of the current read batch, else by this queue's task this event-loop turn. */
    @Override
    void flush() {
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
            queued.releaseAll(cause);
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
     * Writes what other threads queued, without flushing, after the pending buffer (see {@link HandOff#writeOut}).
     * Event loop only.
     */
    private void writeHandOff() {
        HandOff queued = handOff;
        if (queued != null) {
            queued.writeOut(this);
        }
    }

    // ---------------------------------------------------------------------------------------------- drain

    /**
     * Below the high water mark, counting the bytes still in the pending buffer and the hand-off queue, and the
     * channel still active (a closing channel drops its queue, which makes it writable too).
     */
    boolean writable() {
        HandOff queued = handOff;
        long handedOff = queued == null ? 0 : queued.bytes();
        FileSender sender = files;
        long filed = sender == null ? 0 : sender.bytes();
        return channel.isActive() && handedOff + pendingBytes + filed < channel.bytesBeforeUnwritable();
    }

    /**
     * The channel turned writable (or the connection is lost): a file sent in chunks goes on, and the waiting
     * drainers are completed (or failed) while the channel stays writable; see {@link Drainers#release}.
     */
    void releaseDrainers() {
        FileSender sender = files;
        if (sender != null) {
            sender.writable();
        }
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
            afterFiles(action);
        } else {
            try {
                channel.eventLoop().execute(() -> {
                    writeQueued();
                    afterFiles(action);
                });
            } catch (RejectedExecutionException loopShutDown) {
                abandon(loopShutDown);
                releaseDrainers();
                action.run(); // no loop to queue on: Netty fails the write itself
            }
        }
    }

    /**
     * Runs {@code step} on the event loop in the write order: after every byte written before this call (handed to the
     * channel, not flushed) and before any written after it, and behind a file being sent in chunks — at once on the
     * event loop, else through the hand-off queue. The step must check the channel itself and fail, not throw: when
     * the connection is gone it runs anyway (off the loop if the loop is gone too), to fail.
     */
    void inOrder(Runnable step) {
        if (channel.eventLoop().inEventLoop()) {
            writeQueued();
            toChannel(step);
        } else if (handOff().step(step)) {
            scheduleTask();
        } else {
            try {
                channel.eventLoop().execute(step); // the peer is gone: the step fails on the loop
            } catch (RejectedExecutionException loopGone) {
                step.run(); // and so is the loop: it fails here
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
        HandOff queued;
        synchronized (state) {
            state.lose(error); // under the lock writes check it with: every write is either in this queue or refused
            queued = handOff;
            handOff = null;
        }
        releasePending();
        if (queued != null) {
            queued.releaseAll(state.lost());
        }
        FileSender sender = files;
        if (sender != null) {
            sender.connectionLost(state.lost());
        }
        releaseDrainers();
    }

    /** Runs {@code action} once the files before it are sent (at once when there are none). Event loop only. */
    private void afterFiles(Runnable action) {
        FileSender sender = files;
        if (sender == null) {
            action.run();
        } else {
            sender.send(action);
        }
    }
}
