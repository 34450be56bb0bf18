package dev.streams.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The writes of the event loop (and of the handler thread it carries) that are not yet handed to the channel: the
 * <em>pending</em> buffer of one connection's writer, and how it gathers them. The {@link WriteQueue} is this class
 * with the rest of the writer's queue (the other threads' writes, the flushes, drain and the connection's end); the
 * two are split by job, not by object, so that a connection carries one object for both.
 *
 * <p><b>Buffer ownership.</b> Each write on the event loop copies the caller's bytes into the pending buffer, from the
 * channel's allocator: consecutive small writes share it (it holds {@link #PENDING_CAPACITY} bytes) until it is full or
 * handed on, so that they cost one buffer and one outbound entry instead of one each. This object owns it until
 * {@link #writePending} hands it to the channel (before a flush, before anything else is written, once it is full, or
 * once it alone would make the channel unwritable), or {@link #releasePending} releases it at the connection's end.
 *
 * <p><b>The carried handler thread.</b> Under {@code BlockingScheduler.EVENT_LOOP} a blocking handler runs on a
 * virtual thread that the connection's event loop carries. While it runs there it writes like the event loop, into
 * the pending buffer without the lock, but makes no channel call: a full pending buffer is set aside, still owned
 * here, in its <em>gathered</em> list, and both go to the channel when the thread parks or returns
 * ({@link CarriedWrites}).
 *
 * <p>Event loop only, but for {@link #pendingBytes}.
 */
abstract class PendingWrites {

    /**
     * The size of a buffer that gathers writes (see the class comment); a write of this size or more gets a buffer of
     * its own.
     */
    static final int PENDING_CAPACITY = 2048;

    private static final AtomicIntegerFieldUpdater<PendingWrites> PENDING_BYTES =
            AtomicIntegerFieldUpdater.newUpdater(PendingWrites.class, "pendingBytes");

    final Channel channel;
    /** Whether writes are taken, why the connection is gone, and the lock. */
    final WriterState state;
    /** Writes made on the event loop and not yet handed to the channel; owned by this object. */
    private ByteBuf pending;
    /** The writes of the handler thread the event loop carries ({@code BlockingScheduler.EVENT_LOOP}); else null. */
    CarriedWrites carriedWrites;
    /**
     * The readable bytes of {@link #pending} (and of the carried thread's gathered buffers), for {@code drain()} from
     * other threads. Written on the event loop with a release store (lazySet): cheap, and drain() needs no more than an
     * estimate — the bytes reach Netty's own (volatile) count of pending bytes when a buffer is handed to the channel.
     */
    volatile int pendingBytes;

    PendingWrites(Channel channel, WriterState state) {
        this.channel = channel;
        this.state = state;
    }

    /** Flushes soon (at the end of the read batch or of the event-loop turn). */
    abstract void flush();

    /** Hands a buffer (Netty owns it from then on) or a file to send to the channel, in order. Event loop only. */
    abstract void toChannel(Object item);

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
    final boolean onLoopMaySend(int len, ByteBuffer nio) {
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
    final ByteBuf pendingBuffer(int len) {
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
    final void afterPendingWrite(boolean flush) {
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
    final void writePending() {
        if (carriedWrites != null) {
            carriedWrites.writeGathered();
        }
        ByteBuf buf = pending;
        if (buf != null) {
            pending = null;
            toChannel(buf); // Netty owns buf from here on (and counts it for drain())
        }
        ByteBuf again = pending; // a write made by user code that channel.write ran
        PENDING_BYTES.lazySet(this, again == null ? 0 : again.readableBytes());
    }

    /** Releases the gathered and pending buffers, which will never be written. Event loop only. */
    final void releasePending() {
        if (carriedWrites != null) {
            carriedWrites.releaseGathered(state.lost());
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
    void countGathered(long len) {
        long total = pendingBytes + len;
        PENDING_BYTES.lazySet(this, (int) Math.min(total, Integer.MAX_VALUE));
    }
}
