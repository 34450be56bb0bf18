package dev.streams.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.nio.AbstractNioByteChannel;
import io.netty.handler.proxy.ProxyHandler;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The files one connection sends ({@code sendFile}), and its channel's door while one of them is sent in chunks. Made
 * by the connection's first {@code sendFile}: a connection that never sends a file has none.
 *
 * <p><b>Two ways.</b> A file goes to the channel as one {@link DefaultFileRegion} (no copy: epoll's
 * {@code sendfile(2)}, NIO's {@code transferTo}) when the channel is an epoll or NIO stream channel, the file is the
 * JDK's own {@code FileChannel} (epoll's native code reads its descriptor), and every outbound handler of the pipeline
 * passes a region on untouched (only the idle timeout and a proxy's handler, whose tunnel is up by then). Otherwise —
 * TLS, the wiretap logger, a handler of the application's, io_uring (whose splice in Netty 4.2.18 takes {@code int}
 * offsets) — it is read in {@link #CHUNK}-byte chunks that go through the pipeline, one more each time the channel is
 * writable ({@link #pump}), and resumed when it turns writable again ({@link #writable}).
 *
 * <p><b>Order.</b> Every buffer, file and closing step the {@link WriteQueue} hands to the channel passes through
 * {@link #send}. While a file is sent in chunks they are <em>held</em> behind it, in order, and follow once its last
 * chunk is written. A region needs no holding: it is one message among the others in the channel's queue.
 *
 * <p><b>Counting.</b> Netty counts a region as 0 bytes against the water marks. {@link #bytes} counts what this object
 * still has to send: a region's bytes until its progress reports them sent, a chunked file's until they are read (a
 * chunk then counts in the channel's queue like any buffer), the files and buffers held. {@code drain()} adds it in
 * ({@link WriteQueue#writable}) and is released as it goes down.
 *
 * <p><b>Ownership.</b> A chunk is this object's from its allocation until {@code channel.write} hands it to Netty; a
 * held buffer is this object's until it is written or released at the connection's end; a region is Netty's once
 * written, and releasing it leaves the file open ({@link KeptFileRegion}): the file stays the caller's.
 *
 * <p>Event loop only, but for {@link #bytes()}.
 */
final class FileSender {

    /** The size of the chunks a file is read in when it goes through the pipeline. */
    static final int CHUNK = 64 * 1024;
    /** The chunks one run of {@link #pump} writes before it lets the event loop serve its other channels. */
    private static final int CHUNKS_PER_RUN = 16;
    private static final String JDK_FILE_CHANNEL = "sun.nio.ch.FileChannelImpl";

    private final Channel channel;
    private final WriterState state;
    private final Runnable pump = this::pump;
    /** Metrics: the server's counters of the connection's event loop, or null on a client connection. */
    private final ServerCounters.Loop counters;
    /** The sends started and not yet ended, in order. */
    private final ArrayDeque<FileSend> sending = new ArrayDeque<>(2);
    /** What waits behind the file being sent in chunks: buffers, files, closing steps; made when first needed. */
    private ArrayDeque<Object> held;
    /** The file being sent in chunks, or null; stays set after a read failed, so that what follows stays held. */
    private FileSend chunked;
    /** The file offset of {@link #chunked}'s next chunk, and the bytes it still has to read. */
    private long next;
    private long left;
    private boolean pumpScheduled;
    /** The bytes still to send (see the class comment). Written on the event loop, read by drain() anywhere. */
    private volatile long bytes;

    FileSender(Channel channel, WriterState state, ServerCounters.Loop counters) {
        this.channel = channel;
        this.state = state;
        this.counters = counters;
    }

    /** The bytes still to send, for {@code drain()}. */
    long bytes() {
        return bytes;
    }

    /** The bytes {@code item} (a buffer, a {@link FileSend}, or a closing step: none) counts for {@code drain()}. */
    static long bytesOf(Object item) {
        if (item instanceof FileSend) {
            return ((FileSend) item).count;
        }
        return item instanceof ByteBuf ? ((ByteBuf) item).readableBytes() : 0;
    }

    /**
     * Hands {@code item} — a buffer (Netty owns it from here on, or this object while it is held), a
     * {@link FileSend}, or a closing step ({@code Runnable}) — to the channel in order: behind the file being sent in
     * chunks, if any. Does not flush.
     */
    void send(Object item) {
        if (item instanceof FileSend) {
            bytes += ((FileSend) item).count; // counts from now until sent
        }
        if (chunked != null) {
            hold(item);
        } else {
            dispatch(item);
        }
    }

    private void hold(Object item) {
        if (item instanceof ByteBuf) {
            bytes += ((ByteBuf) item).readableBytes(); // the channel does not count it while it is held
        }
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(item); // held items are this object's until dispatched or dropped
    }

    private void dispatch(Object item) {
        if (item instanceof FileSend) {
            start((FileSend) item);
        } else if (item instanceof Runnable) {
            ((Runnable) item).run();
        } else {
            ServerCounters.written(counters, (ByteBuf) item); // metrics
            channel.write(item, channel.voidPromise()); // Netty owns the buffer from here on
        }
    }

    /** Starts {@code send}: one region, written now, or the first chunks. */
    private void start(FileSend send) {
        sending.add(send);
        if (zeroCopy(send.file)) {
            send.started(this, true);
            ChannelProgressivePromise promise = channel.newProgressivePromise();
            promise.addListener(send); // progress counts its bytes down; the end completes the future
            if (counters != null) {
                counters.written(send.count); // metrics
            }
            channel.write(new KeptFileRegion(send.file, send.position, send.count), promise); // Netty's from here on
        } else {
            send.started(this, false);
            chunked = send;
            next = send.position;
            left = send.count;
            pump();
        }
    }

    /** True when a region of {@code file} can go to this channel as it is (see the class comment). */
    private boolean zeroCopy(FileChannel file) {
        if (!(channel instanceof AbstractEpollStreamChannel || channel instanceof AbstractNioByteChannel)
                || !file.getClass().getName().equals(JDK_FILE_CHANNEL)) {
            return false;
        }
        for (Map.Entry<String, ChannelHandler> entry : channel.pipeline()) {
            ChannelHandler handler = entry.getValue();
            if (handler instanceof ChannelOutboundHandler
                    && !(handler instanceof IdleTimeout) && !(handler instanceof ProxyHandler)) {
                return false; // it may need the bytes (TLS, a logger, a codec): they go through it in chunks
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ in chunks

    /**
     * Writes and flushes chunks of the file being sent in chunks while the channel is writable (so that at most the
     * high water mark and one chunk are queued), at most {@link #CHUNKS_PER_RUN} per run; once its last chunk is
     * written, what was held behind it follows.
     */
    private void pump() {
        pumpScheduled = false;
        FileSend send = chunked;
        int chunks = 0;
        while (send != null && chunked == send && left > 0 && channel.isActive()) {
            if (!channel.isWritable()) {
                break; // writable() pumps again once the channel drained to its low water mark
            }
            if (chunks++ == CHUNKS_PER_RUN) {
                if (!pumpScheduled) {
                    schedulePump(); // the event loop's other channels get their turn first
                }
                break;
            }
            int size = (int) Math.min(CHUNK, left);
            ByteBuf chunk = channel.alloc().ioBuffer(size); // ours until channel.write hands it on
            try {
                read(chunk, send.file, next, size);
            } catch (IOException | RuntimeException unreadable) {
                chunk.release(); // never written
                unreadable(send, unreadable);
                return;
            }
            next += size;
            left -= size;
            bytes -= size; // the channel counts them from now on
            ChannelPromise promise = channel.voidPromise(); // a failure ends the connection, whose end fails send
            if (left == 0) {
                ChannelProgressivePromise last = channel.newProgressivePromise();
                last.addListener(send); // its end completes the future
                promise = last;
            }
            ServerCounters.written(counters, chunk); // metrics
            channel.pipeline().writeAndFlush(chunk, promise); // Netty owns chunk from here on
            if (left == 0 && chunked == send) {
                chunked = null; // the last chunk is written: what is held may follow it
            }
        }
        if (chunked == null) {
            releaseHeld();
        }
        state.releaseDrainers();
    }

    private static void read(ByteBuf chunk, FileChannel file, long position, int size) throws IOException {
        while (chunk.readableBytes() < size) {
            int got = chunk.writeBytes(file, position + chunk.readableBytes(), size - chunk.readableBytes());
            if (got <= 0) {
                throw new EOFException("the file ends at " + (position + chunk.readableBytes())
                        + ", before the range sendFile was given");
            }
        }
    }

    /**
     * The file could not be read: the future fails with why, and the connection with it (the peer can no longer
     * get the bytes it was promised in order). What was held stays held, and goes with the connection.
     */
    private void unreadable(FileSend send, Throwable cause) {
        bytes -= left;
        left = 0;
        sending.remove(send);
        channel.pipeline().fireExceptionCaught(cause); // the stream handler fails the connection and closes it
        send.fail(cause);
    }

    private void schedulePump() {
        pumpScheduled = true;
        channel.eventLoop().execute(pump);
    }

    /** The channel turned writable: the file being sent in chunks goes on. Any thread (only the loop acts). */
    void writable() {
        if (chunked != null && left > 0 && !pumpScheduled && channel.eventLoop().inEventLoop()) {
            schedulePump(); // not now: the channel may be in the middle of its flush
        }
    }

    /** Dispatches what was held, in order, until it is all gone or a file is sent in chunks again; flushes. */
    private void releaseHeld() {
        Object item;
        while (chunked == null && held != null && (item = held.poll()) != null) {
            if (item instanceof ByteBuf) {
                bytes -= ((ByteBuf) item).readableBytes(); // the channel counts it from now on
            }
            dispatch(item);
        }
        channel.flush();
    }

    // ------------------------------------------------------------------------------------------ progress

    /** A region's progress: {@code moved} more bytes left for the peer. */
    void sent(long moved) {
        bytes -= moved;
        state.releaseDrainers();
    }

    /**
     * The write that ends {@code send} (its region, or its last chunk) ended: {@code unreported} bytes no longer
     * count; the future completes, or, when the write failed, fails with the connection's cause once the connection
     * ended (Netty closes it after a failed write) — at once when it already has.
     */
    void ended(FileSend send, long unreported, Throwable failure) {
        bytes -= unreported;
        if (failure == null) {
            sending.remove(send);
            send.result.complete(send.count);
            state.releaseDrainers();
            return;
        }
        send.writeFailed = failure;
        if (channel.isRegistered()) {
            channel.pipeline().fireExceptionCaught(failure); // as a failed write of a buffer reports it
        }
        Throwable lost = state.lost();
        if (lost != null || !channel.isRegistered()) {
            sending.remove(send);
            send.fail(lost != null ? lost : JdkExceptions.ofConnection(failure));
        }
    }

    /**
     * The connection ended with {@code cause}: the file being sent in chunks and the sends whose write failed fail
     * with it (all of them when the channel is closed: Netty failed their writes), held buffers are released, held
     * files fail, held closing steps run. A region still in a live channel (the stream handler was removed) goes on
     * and ends by its own write.
     */
    void connectionLost(Throwable cause) {
        FileSend stopped = chunked;
        chunked = null;
        bytes -= left;
        left = 0;
        List<FileSend> failed = new ArrayList<>();
        for (FileSend send : sending) {
            if (send == stopped || send.writeFailed != null || !channel.isOpen()) {
                failed.add(send);
            }
        }
        sending.removeAll(failed);
        Object item;
        while (held != null && (item = held.poll()) != null) {
            bytes -= bytesOf(item);
            if (item instanceof FileSend) {
                failed.add((FileSend) item);
            } else if (item instanceof Runnable) {
                ((Runnable) item).run(); // close or writeEof: on a dead channel they only fail
            } else {
                ((ByteBuf) item).release(); // held, never written
            }
        }
        for (FileSend send : failed) {
            send.fail(cause); // user code: after every change
        }
    }

    /**
     * A region whose file stays open when Netty releases it ({@code DefaultFileRegion}'s own release closes the
     * file, which is the caller's).
     */
    private static final class KeptFileRegion extends DefaultFileRegion {
        KeptFileRegion(FileChannel file, long position, long count) {
            super(file, position, count);
        }

        @Override
        protected void deallocate() {
            // the file is the caller's: left open
        }
    }
}
