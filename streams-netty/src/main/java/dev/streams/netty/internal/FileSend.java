package dev.streams.netty.internal;

import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code sendFile} call: the range of the caller's file, the future the caller got, and how far the bytes went.
 * It travels through the writer's queues like a buffer (the hand-off queue, a carried thread's gathered list) to the
 * connection's {@link FileSender}, which sends it. The file is never ours: nothing here closes it.
 *
 * <p>It is the listener of the write that ends it (the region's, or the last chunk's): progress counts the region's
 * bytes as they leave, and the write's end completes or fails the future. Event loop only, but for {@link #taken}.
 */
final class FileSend implements ChannelProgressiveFutureListener {

    final FileChannel file;
    final long position;
    final long count;
    final CompletableFuture<Long> result = new CompletableFuture<>();
    /** The sender, once the send reached it. Event loop only. */
    private FileSender sender;
    /** True when sent as one region (its progress counts its bytes), false when in chunks. Event loop only. */
    boolean zeroCopy;
    /** The region's bytes reported sent so far. Event loop only. */
    private long progress;
    /** The write's own failure, kept until the connection's end says what to report. Event loop only. */
    Throwable writeFailed;
    /** Set by the queue that took the send (the caller's thread checks it afterwards). */
    private boolean taken;

    FileSend(FileChannel file, long position, long count) {
        this.file = file;
        this.position = position;
        this.count = count;
    }

    /** A queue took the send: it will be sent or failed from now on. On the caller's thread. */
    void take() {
        taken = true;
    }

    /** Whether a queue took the send (else it was dropped: the peer is gone). On the caller's thread. */
    boolean taken() {
        return taken;
    }

    /** The sender sends it now, as one region ({@code zeroCopy}) or in chunks. */
    void started(FileSender by, boolean asRegion) {
        this.sender = by;
        this.zeroCopy = asRegion;
    }

    /** Fails the caller's future (runs its callbacks: no lock may be held). */
    void fail(Throwable cause) {
        result.completeExceptionally(cause);
    }

    @Override
    public void operationProgressed(ChannelProgressiveFuture future, long now, long total) {
        if (zeroCopy && now > progress) {
            long moved = now - progress;
            progress = now;
            sender.sent(moved);
        }
    }

    @Override
    public void operationComplete(ChannelProgressiveFuture future) {
        long unreported = zeroCopy ? count - progress : 0; // a chunked send counted its bytes as it read them
        progress = count;
        sender.ended(this, unreported, future.cause());
    }

    /** For messages: {@code sendFile(<count> bytes at <position>)}. */
    @Override
    public String toString() {
        return "sendFile(" + count + " bytes at " + position + ")";
    }
}
