package dev.streams.netty.internal;

import dev.streams.netty.NettyStreamWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import javax.net.ssl.SSLSession;

/**
 * The writer of one connection.
 *
 * <p><b>Buffer ownership.</b> Each write copies the caller's bytes into a buffer from the channel's allocator, and
 * small writes are gathered: consecutive writes share one buffer (of {@link #PENDING_CAPACITY} bytes) until it is full
 * or handed on, so that they cost one buffer and one outbound entry instead of one each. On the event loop that buffer
 * is the <em>pending</em> buffer, owned by the writer until it hands it to Netty with {@code channel.write} (before a
 * flush, before anything else is written, once it is full, or once it alone would make the channel unwritable). From any other thread the buffers go into the
 * <em>hand-off queue</em>, which owns them until the event loop takes the queue and writes them to the channel. Once
 * written to the channel, Netty owns a buffer and releases it once sent or when the write fails; buffers never handed
 * to Netty are released by the writer when the connection is lost.
 *
 * <p><b>The carried handler thread.</b> Under {@code BlockingScheduler.EVENT_LOOP} a blocking handler runs on a
 * virtual thread that the connection's event loop carries ({@link LoopCarrier}). While it runs there it writes like the
 * event loop, into the pending buffer without the hand-over lock (see {@link #carried()}), with one difference: it
 * makes no channel call, since Netty takes it for another thread. A full pending buffer is set aside, still owned by
 * the writer, in the <em>gathered</em> list, to be written before the pending buffer; when the thread parks or returns,
 * {@link LoopCarrier} calls {@link #flushCarried()} on the event loop itself, which hands both to the channel and
 * flushes.
 *
 * <p><b>Flushes.</b> On the event loop, writes made while the handler is inside {@code channelRead} are flushed once
 * at {@code channelReadComplete}, and other writes once at the end of the event-loop turn (by the writer's task). From
 * any other thread, the writer's task, scheduled once however many writes come, writes the whole hand-off queue and
 * flushes once.
 *
 * <p><b>drain().</b> Answered from the channel's water marks plus the bytes still in the pending buffer and the
 * hand-off queue. Waiting drainers are completed by {@code channelWritabilityChanged} or after the writer's flushes
 * (its task, {@code channelReadComplete}), and failed when the connection is lost.
 */
public final class ChannelStreamWriter implements NettyStreamWriter, Runnable {

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<ChannelStreamWriter, Queue> DRAINERS =
            AtomicReferenceFieldUpdater.newUpdater(ChannelStreamWriter.class, Queue.class, "drainers");
    private static final AtomicIntegerFieldUpdater<ChannelStreamWriter> PENDING_BYTES =
            AtomicIntegerFieldUpdater.newUpdater(ChannelStreamWriter.class, "pendingBytes");
    /**
     * The size of a buffer that gathers writes (see the class comment); a write of this size or more gets a buffer of
     * its own.
     */
    static final int PENDING_CAPACITY = 2048;
    private static final AtomicIntegerFieldUpdater<ChannelStreamWriter> TASK_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(ChannelStreamWriter.class, "taskScheduled");
    /** What drain() returns while nothing needs draining: shared, and immune to being completed by a caller. */
    private static final CompletableFuture<Void> READY = new Ready();

    private final Channel channel;
    private final StreamsChannelHandler handler;
    /** Callers waiting in drain(); made by the first one that has to wait (most connections never do). */
    private volatile Queue<CompletableFuture<Void>> drainers;
    /**
     * Writes from other threads on their way to the event loop; made by the first such write, so that connections
     * served on the event loop do not carry one. Set under the hand-over lock.
     */
    private volatile HandOff handOff;
    /** Writes made on the event loop and not yet handed to the channel; owned by this writer. Event loop only. */
    private ByteBuf pending;
    /**
     * Full pending buffers of the carried handler thread's current run, in order, written before {@link #pending};
     * owned by this writer. Event loop only; made by the first run that fills a buffer.
     */
    private ArrayDeque<ByteBuf> gathered;
    /** The handler thread's scheduler under {@code BlockingScheduler.EVENT_LOOP}; set before that thread starts. */
    private LoopCarrier carrier;
    /**
     * The readable bytes of {@link #pending}, for {@link #drain()} from other threads. Written on the event loop with
     * a release store (lazySet): cheap, and drain() needs no more than an estimate — the bytes reach Netty's own
     * (volatile) count of pending bytes when the buffer is handed to the channel.
     */
    private volatile int pendingBytes;
    /** 1 while the writer's task is scheduled and has not started. */
    private volatile int taskScheduled;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    // The hand-over lock is closed's monitor (a private object no one else locks; no field of its own, to spare
    // memory per connection). For writes from other threads it makes "check open, hand the bytes over" atomic against
    // close(), writeEof() and connectionLost() setting their flags: a write that passed the check is queued before
    // their closing step, which writes (or releases) the hand-off queue first, so it is never dropped. The event loop
    // writes without it (see onLoopMaySend) and only takes it to swap the hand-off queue out, so no user code (an
    // outbound handler that channel.write runs) ever runs under it.

    /** Set by close(), abort() or the end of the connection. */
    private volatile boolean closing;
    /** Set by close() and abort(): later writes are refused. */
    private volatile boolean closedLocally;
    private volatile boolean eofWritten;
    /** Why the connection is gone (its error, or ClosedChannelException); null while it is up. */
    private volatile Throwable lost;

    ChannelStreamWriter(Channel channel, StreamsChannelHandler handler) {
        this.channel = channel;
        this.handler = handler;
    }

    // ---------------------------------------------------------------------------------------------- writes

    @Override
    public void write(byte[] data) {
        Objects.requireNonNull(data, "data");
        write(data, 0, data.length);
    }

    @Override
    public void write(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(data, "data").length);
        write(data, off, len, null);
    }

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        int position = data.position();
        try {
            write(null, 0, data.remaining(), data);
        } catch (IllegalStateException refused) {
            data.position(position); // nothing was taken
            throw refused;
        }
    }

    /**
     * Both write forms: {@code len} bytes from {@code array} at {@code off}, or the remaining bytes of {@code nio}
     * (which is then consumed, also when the bytes are dropped because the peer is gone).
     */
    private void write(byte[] array, int off, int len, ByteBuffer nio) {
        if (channel.eventLoop().inEventLoop()) {
            // No lock on the event loop: see onLoopMaySend.
            if (onLoopMaySend(len, nio)) {
                writeHandOff();
                copy(pendingBuffer(len), array, off, len, nio);
                afterPendingWrite(true);
            }
        } else if (carried() && gather(array, off, len, nio)) {
            // gathered, or refused or dropped as on the event loop; LoopCarrier flushes
        } else if (len >= PENDING_CAPACITY) {
            handOffWhole(array, off, len, nio);
        } else {
            synchronized (closed) { // the hand-over lock
                checkOpen();
                if (len > 0 && lost == null) {
                    copy(handOffBuffer(len), array, off, len, nio);
                    afterHandOffWrite(len);
                } else if (nio != null) {
                    nio.position(nio.limit()); // nothing to send, or the peer is gone: drain() reports why
                }
            }
        }
        failDrainersIfLost();
    }

    /**
     * On the event loop, before a write into the pending buffer: refuses it after close() or writeEof(), and says
     * whether there is anything to send (when the peer is gone the bytes are dropped, and {@code nio} consumed;
     * drain() reports why).
     *
     * <p>The event loop needs no hand-over lock: only it touches the pending buffer, and close(), writeEof() and
     * connectionLost() write or release that buffer on the event loop, after the write that is running now. A close()
     * from another thread that flips its flag after this check therefore still finds these bytes and sends them first.
     * Without the lock, {@code channel.write} — which runs outbound handlers and listeners, that is user code — never
     * runs under it.
     */
    private boolean onLoopMaySend(int len, ByteBuffer nio) {
        checkOpen();
        if (len > 0 && lost == null) {
            return true;
        }
        if (nio != null) {
            nio.position(nio.limit());
        }
        return false;
    }

    private static void copy(ByteBuf to, byte[] array, int off, int len, ByteBuffer nio) {
        if (array != null) {
            to.writeBytes(array, off, len);
        } else {
            to.writeBytes(nio);
        }
    }

    @Override
    public void writeLines(Iterable<byte[]> lines) {
        Objects.requireNonNull(lines, "lines");
        List<byte[]> all = new ArrayList<>();
        int i = 0;
        for (byte[] line : lines) {
            all.add(Objects.requireNonNull(line, "lines[" + i++ + "]"));
        }
        if (channel.eventLoop().inEventLoop()) {
            checkOpen(); // no lock on the event loop: see onLoopMaySend
            writeHandOff();
            for (byte[] line : all) {
                if (line.length > 0 && lost == null) { // once the peer is gone the lines are dropped
                    pendingBuffer(line.length).writeBytes(line);
                    afterPendingWrite(false);
                }
            }
            flush();
        } else if (carried()) {
            checkOpen();
            for (byte[] line : all) {
                write(line, 0, line.length, null); // each gathered while this thread stays on its loop
            }
        } else {
            synchronized (closed) { // the hand-over lock
                checkOpen();
                for (byte[] line : all) {
                    if (line.length > 0 && lost == null) {
                        handOffBuffer(line.length).writeBytes(line);
                        afterHandOffWrite(line.length);
                    }
                }
            }
        }
        failDrainersIfLost();
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
     * True on the handler thread that this connection's event loop carries, while it carries it: the thread runs on
     * the loop's OS thread, between two of the loop's tasks, so it may touch what is "event loop only" — but Netty's
     * {@code inEventLoop()} is false for it, so it makes no channel call (see the class comment).
     */
    boolean carried() {
        LoopCarrier scheduler = carrier;
        return scheduler != null && scheduler.carries(Thread.currentThread());
    }

    /** Under {@code BlockingScheduler.EVENT_LOOP}: the handler thread's scheduler, set before the thread starts. */
    void carriedBy(LoopCarrier scheduler) {
        this.carrier = scheduler;
    }

    /**
     * A write of the carried handler thread: like the event loop's into the pending buffer, without the hand-over
     * lock and without channel calls. Taking the hand-over lock and allocating a buffer may park the thread (a
     * contended lock), which ends its run: the loop may then flush, or close the writer, before the thread resumes —
     * possibly off the loop, when the loop is shutting down. So those calls come first, and the writer's state is read
     * again and changed only after them, with no park point in between.
     *
     * @return false, having taken nothing, when the thread resumed off its loop: the caller takes the path of other
     *         threads
     */
    private boolean gather(byte[] array, int off, int len, ByteBuffer nio) {
        if (!onLoopMaySend(len, nio)) {
            return true; // nothing to send, or the peer is gone
        }
        gatherHandOff(); // may park
        ByteBuf buf = pending;
        ByteBuf fresh = buf == null || buf.capacity() - buf.writerIndex() < len
                ? channel.alloc().ioBuffer(Math.max(len, PENDING_CAPACITY)) // may park; ours until handed on
                : null;
        // No park point from here on.
        boolean send;
        try {
            send = carried() && onLoopMaySend(len, nio);
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
            return !carried();
        }
        if (fresh != null) {
            buf = pending; // a flush may have taken it while this thread waited
            if (buf != null) {
                if (gathered == null) {
                    gathered = new ArrayDeque<>(4);
                }
                gathered.add(buf); // ours until writePending hands it on, before the new pending buffer
            }
            pending = fresh;
            buf = fresh;
        }
        copy(buf, array, off, len, nio);
        countGathered(len);
        return true;
    }

    /**
     * On the carried handler thread, before it gathers a write: what other threads queued before it (the thread may
     * have waited for them without parking) goes to the gathered list first, after what this thread gathered so far
     * — the carried thread's {@code writeHandOff}. The writer owns those buffers again, until written.
     */
    private void gatherHandOff() {
        HandOff queued = handOff;
        if (queued == null || queued.bytes == 0) {
            return; // nothing queued (see writeHandOff for why a check without the lock is enough)
        }
        ArrayDeque<ByteBuf> batch;
        synchronized (closed) { // the hand-over lock (waiting for it may park this thread: see gather)
            batch = queued.buffers;
            if (batch.isEmpty() || !carried()) {
                return; // resumed off the loop: the queue stays for the loop's writer task
            }
            queued.tail = null;
            queued.buffers = queued.spare != null ? queued.spare : new ArrayDeque<>(4);
            queued.spare = null;
        }
        if (gathered == null) {
            gathered = new ArrayDeque<>(4);
        }
        if (pending != null) {
            gathered.add(pending);
            pending = null;
        }
        ByteBuf buf;
        while ((buf = batch.poll()) != null) {
            int size = buf.readableBytes();
            gathered.add(buf); // from the queue to this writer, until writePending hands it on
            countGathered(size);
            HandOff.BYTES.addAndGet(queued, -size);
        }
        queued.spare = batch; // event loop only (this thread runs on it)
    }

    /** Counts {@code len} gathered bytes for drain() (an estimate that stops at Integer.MAX_VALUE). */
    private void countGathered(int len) {
        int total = pendingBytes + len;
        PENDING_BYTES.lazySet(this, total < 0 ? Integer.MAX_VALUE : total);
    }

    /**
     * On the event loop, after a run of the carried handler thread (it parked or returned): hands what it wrote to the
     * channel and flushes.
     */
    void flushCarried() {
        ArrayDeque<ByteBuf> full = gathered;
        if (pending != null || full != null && !full.isEmpty()) {
            flushNow();
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

    /** Hands the gathered buffers and the pending buffer to the channel, without flushing. Event loop only. */
    private void writePending() {
        ArrayDeque<ByteBuf> full = gathered;
        ByteBuf buf;
        while (full != null && (buf = full.poll()) != null) {
            channel.write(buf, channel.voidPromise()); // Netty owns buf from here on
        }
        buf = pending;
        if (buf != null) {
            pending = null;
            channel.write(buf, channel.voidPromise()); // Netty owns buf from here on (and counts it for drain())
            ByteBuf again = pending; // a write made by user code that channel.write ran
            PENDING_BYTES.lazySet(this, again == null ? 0 : again.readableBytes());
        }
    }

    /** Releases the gathered and pending buffers, which will never be written. Event loop only. */
    private void releasePending() {
        ArrayDeque<ByteBuf> full = gathered;
        ByteBuf buf;
        while (full != null && (buf = full.poll()) != null) {
            buf.release(); // ours, never handed to the channel
        }
        if (pending != null) {
            pending.release(); // ours, never handed to the channel
            pending = null;
            PENDING_BYTES.lazySet(this, 0);
        }
    }

    /**
     * From another thread, under the hand-over lock: the hand-off buffer with room for {@code len} more bytes, the
     * queue's last one while it has room, else a new one at the end of the queue (which owns it from then on).
     */
    private ByteBuf handOffBuffer(int len) {
        HandOff queued = handOffQueue();
        ByteBuf tail = queued.tail;
        if (tail != null && tail.capacity() - tail.writerIndex() >= len) {
            return tail;
        }
        ByteBuf buf = channel.alloc().ioBuffer(Math.max(len, PENDING_CAPACITY));
        queued.buffers.add(buf);
        queued.tail = buf;
        return buf;
    }

    /** The hand-off queue, made on first use. Under the hand-over lock. */
    private HandOff handOffQueue() {
        HandOff queued = handOff;
        if (queued == null) {
            queued = new HandOff();
            handOff = queued;
        }
        return queued;
    }

    /**
     * From another thread: a large write, copied into a buffer of its own before the lock is taken (the event loop
     * takes it too), goes to the end of the hand-off queue (which owns the buffer from then on), or the buffer is
     * released when the writer refuses the write.
     */
    private void handOffWhole(byte[] array, int off, int len, ByteBuffer nio) {
        ByteBuf own = channel.alloc().ioBuffer(len);
        copy(own, array, off, len, nio);
        synchronized (closed) { // the hand-over lock
            try {
                checkOpen();
            } catch (IllegalStateException refused) {
                own.release(); // never handed over
                throw refused;
            }
            if (lost != null) {
                own.release(); // the peer is gone: drain() reports why
                return;
            }
            HandOff queued = handOffQueue();
            queued.buffers.add(own);
            queued.tail = null; // full: the next write starts a new buffer
            afterHandOffWrite(own.readableBytes());
        }
    }

    /** After a write into the hand-off queue: counts it for drain(), and has the writer's task write it out. */
    private void afterHandOffWrite(int len) {
        HandOff.BYTES.addAndGet(handOff, len);
        scheduleTask();
    }

    /** Flushes soon: at the end of the current read batch, else by the writer's task this event-loop turn. */
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
        synchronized (closed) { // the hand-over lock
            if (lost == null) {
                lost = cause;
            }
            queued = handOff;
            handOff = null;
        }
        release(queued);
        if (channel.eventLoop().inEventLoop()) {
            releasePending();
        }
    }

    /**
     * Fails the waiting drainers once a write found the event loop gone ({@link #abandon}, which runs under the
     * hand-over lock): called after the lock is released, so that no drainer's callback runs under it.
     */
    private void failDrainersIfLost() {
        if (lost != null) {
            releaseDrainers();
        }
    }

    /** Releases what {@code queued} still holds (it will never be written). */
    private static void release(HandOff queued) {
        ByteBuf unsent;
        while (queued != null && (unsent = queued.buffers.poll()) != null) {
            HandOff.BYTES.addAndGet(queued, -unsent.readableBytes());
            unsent.release(); // the queue owned it
        }
    }

    /** The writer's task, on the event loop: writes the pending buffer and the hand-off queue out and flushes once. */
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
        if (drainers != null && !drainers.isEmpty()) {
            releaseDrainers();
        }
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
        if (queued == null || queued.bytes == 0 || queued.writing) {
            // Nothing queued, checked without the lock. A write from another thread adds its bytes to this count
            // (under the lock) before it looks whether the writer's task is scheduled: when it finds the flag set, a
            // task is queued and clears the flag before it gets here. All volatile, so either the write schedules the
            // task again, or the task sees the bytes here. (Other callers may miss bytes that the task then takes.)
            // `writing`: called again from user code that channel.write below ran; the batch being written goes first.
            return;
        }
        ArrayDeque<ByteBuf> batch;
        synchronized (closed) { // the hand-over lock
            batch = queued.buffers;
            if (batch.isEmpty()) {
                return;
            }
            // The event loop takes the whole queue: no write may add to its buffers any more.
            queued.tail = null;
            queued.buffers = queued.spare != null ? queued.spare : new ArrayDeque<>(4);
            queued.spare = null;
        }
        writePending();
        queued.writing = true;
        ByteBuf buf;
        try {
            while ((buf = batch.poll()) != null) {
                int size = buf.readableBytes();
                channel.write(buf, channel.voidPromise()); // Netty owns buf from here on
                HandOff.BYTES.addAndGet(queued, -size);
            }
        } finally {
            queued.writing = false;
            while ((buf = batch.poll()) != null) { // only when channel.write threw: the rest is never written
                HandOff.BYTES.addAndGet(queued, -buf.readableBytes());
                buf.release();
            }
        }
        queued.spare = batch; // event loop only: swapped in by the next writeHandOff, under the lock
    }

    private void checkOpen() {
        if (closedLocally) {
            throw new IllegalStateException("write after close(): " + handler.connectionName());
        }
        if (eofWritten) {
            throw new IllegalStateException("write after writeEof(): " + handler.connectionName());
        }
    }

    // ---------------------------------------------------------------------------------------------- drain

    @Override
    public CompletableFuture<Void> drain() {
        Throwable cause = lost;
        if (cause != null) {
            return CompletableFuture.failedFuture(cause);
        }
        if (writable()) {
            return READY;
        }
        CompletableFuture<Void> drainer = new CompletableFuture<>();
        Queue<CompletableFuture<Void>> waiting = drainers;
        if (waiting == null) {
            DRAINERS.compareAndSet(this, null, new ConcurrentLinkedQueue<CompletableFuture<Void>>());
            waiting = drainers;
        }
        waiting.add(drainer);
        // The channel may have become writable (or closed) between the check and the add: look again.
        if (writable() || lost != null) {
            releaseDrainers();
        }
        return drainer;
    }

    /**
     * Below the high water mark, counting the bytes still in the pending buffer and the hand-off queue, and the
     * channel still active (a closing channel drops its queue, which makes it writable too).
     */
    private boolean writable() {
        HandOff queued = handOff;
        long handedOff = queued == null ? 0 : queued.bytes;
        return channel.isActive() && handedOff + pendingBytes < channel.bytesBeforeUnwritable();
    }

    /**
     * Completes (or, once the connection is lost, fails) the waiting drainers while the channel stays writable. Safe
     * from any thread. Writability is checked before each one: a drainer's callback may write (and call drain()
     * again) synchronously, and once that makes the channel unwritable the rest must go on waiting.
     */
    void releaseDrainers() {
        Queue<CompletableFuture<Void>> waiting = drainers;
        CompletableFuture<Void> drainer;
        while (waiting != null && (lost != null || writable()) && (drainer = waiting.poll()) != null) {
            settle(drainer, lost);
        }
    }

    /** Completes {@code future}, or fails it when there is a {@code cause}. */
    private static void settle(CompletableFuture<Void> future, Throwable cause) {
        if (cause != null) {
            future.completeExceptionally(cause);
        } else {
            future.complete(null);
        }
    }

    // ---------------------------------------------------------------------------------------------- closing

    @Override
    public boolean canWriteEof() {
        return channel instanceof DuplexChannel && channel.pipeline().get(SslHandler.class) == null;
    }

    @Override
    public void writeEof() {
        if (!canWriteEof()) {
            throw new UnsupportedOperationException("writeEof() is not supported on " + handler.connectionName()
                    + (channel instanceof DuplexChannel ? " (TLS)" : ""));
        }
        synchronized (closed) { // the hand-over lock
            if (closedLocally) {
                throw new IllegalStateException("writeEof() after close(): " + handler.connectionName());
            }
            if (eofWritten) {
                throw new IllegalStateException("writeEof() called twice: " + handler.connectionName());
            }
            eofWritten = true;
        }
        if (lost != null) {
            return;
        }
        // Shut the output down once everything queued before it is written (shutdownOutput drops pending writes).
        afterQueuedWrites(() -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(
                (ChannelFutureListener) f -> ((DuplexChannel) channel).shutdownOutput()));
    }

    @Override
    public void close() {
        synchronized (closed) { // the hand-over lock
            if (closedLocally) {
                return;
            }
            closedLocally = true;
            closing = true;
        }
        // Close once everything queued before it is written (Netty's close drops pending writes).
        afterQueuedWrites(() -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
    }

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

    @Override
    public void abort() {
        closedLocally = true;
        closing = true;
        if (!channel.isOpen()) {
            return;
        }
        channel.eventLoop().execute(() -> {
            if (channel.isOpen()) {
                if (channel.config().getOptions().containsKey(ChannelOption.SO_LINGER)) {
                    channel.config().setOption(ChannelOption.SO_LINGER, 0); // close sends RST
                }
                channel.close();
            }
        });
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public CompletableFuture<Void> waitClosed() {
        return closed.copy();
    }

    /** The channel is gone: fail drainers, settle waitClosed. Called once, on the event loop. */
    void connectionLost(Throwable error) {
        closing = true;
        if (channel.isOpen()) {
            flushNow(); // the stream handler was removed from a live channel: what was written still goes out
        }
        releasePending();
        HandOff queued;
        synchronized (closed) { // the hand-over lock
            // Under the lock that writes check `lost` with: every write is either in this queue or refused.
            if (lost == null) {
                lost = error != null ? error : new ClosedChannelException();
            }
            queued = handOff;
            handOff = null;
        }
        release(queued);
        releaseDrainers();
        settle(closed, error);
    }

    // ---------------------------------------------------------------------------------------------- info

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public CompletableFuture<Void> startTls(SslContext sslContext, String serverHostname) {
        Objects.requireNonNull(sslContext, "sslContext");
        return handler.startTls(sslContext, serverHostname);
    }

    @Override
    public SocketAddress remoteAddress() {
        return StreamsChannelHandler.typed(channel.remoteAddress());
    }

    @Override
    public SocketAddress localAddress() {
        return StreamsChannelHandler.typed(channel.localAddress());
    }

    @Override
    public Optional<SSLSession> sslSession() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return Optional.empty();
        }
        return Optional.of(ssl.engine().getSession());
    }

    @Override
    public String toString() {
        return "StreamWriter[" + handler.connectionName() + (closing ? ", closing" : "") + "]";
    }

    /** The hand-off queue: buffers written from other threads, owned by it until the event loop writes them. */
    private static final class HandOff {
        static final AtomicLongFieldUpdater<HandOff> BYTES = AtomicLongFieldUpdater.newUpdater(HandOff.class, "bytes");

        /** The queued buffers, in order. Guarded by the hand-over lock. */
        ArrayDeque<ByteBuf> buffers = new ArrayDeque<>(4);
        /** The last of {@link #buffers} while later writes may still be added to it. Guarded by the lock. */
        ByteBuf tail;
        /** The emptied queue of the last batch, swapped in at the next one. Event loop only. */
        ArrayDeque<ByteBuf> spare;
        /** True while the event loop writes a batch out. Event loop only. */
        boolean writing;
        /** The bytes queued: they count against the high water mark in {@link #drain()}. */
        volatile long bytes;
    }

    /** A completed future whose state cannot be changed: the shared answer of a drain() that need not wait. */
    private static final class Ready extends CompletableFuture<Void> {
        Ready() {
            super.complete(null);
        }

        @Override
        public boolean complete(Void value) {
            return false;
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            return false;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public void obtrudeValue(Void value) {
            // a shared answer: nobody may change it
        }

        @Override
        public void obtrudeException(Throwable ex) {
            // a shared answer: nobody may change it
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
