package dev.streams.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import java.util.concurrent.RejectedExecutionException;

/**
 * What a connection's reader tells its channel ({@link ReadControl}), on the event loop: its back-pressure becomes
 * the channel's autoRead, and its own failure closes the connection. One object per connection, which is also the
 * task that applies the reader's wish when it changed on another thread. Kept out of {@link StreamsChannelHandler}'s
 * public methods, which are Netty's.
 */
final class ChannelReadControl implements ReadControl, Runnable {

    private final StreamsChannelHandler handler;

    ChannelReadControl(StreamsChannelHandler handler) {
        this.handler = handler;
    }

    /**
     * The reader's back-pressure: the channel's autoRead, set to what the reader wants when this runs, on the event
     * loop (from another thread, in a task: this object). Called after the reader released its lock: turning autoRead
     * on runs every outbound handler's {@code read()}, which may deliver data at once (a {@code FlowControlHandler}
     * does).
     */
    @Override
    public void readingChanged() {
        Channel channel = handler.connection().writer().channel();
        if (channel.eventLoop().inEventLoop()) {
            run();
        } else {
            try {
                channel.eventLoop().execute(this);
            } catch (RejectedExecutionException loopShutDown) {
                // the channel is gone with its event loop: nothing to read
            }
        }
    }

    /** Applies the reader's wish as it is now, on the event loop. */
    @Override
    public void run() {
        NettyStreamConnection connection = handler.connection();
        Boolean wanted = connection.reader().autoReadWanted(); // the latest decision, taken under the reader's lock
        ChannelConfig config = connection.writer().channel().config();
        if (wanted != null && config.isAutoRead() != wanted) {
            config.setAutoRead(wanted);
        }
    }

    /** The reader could not allocate memory for its bytes: it failed, and its connection closes. */
    @Override
    public void readerFailed(Throwable cause) {
        Channel channel = handler.connection().writer().channel();
        if (channel.eventLoop().inEventLoop()) {
            handler.fail(cause);
        } else {
            try {
                channel.eventLoop().execute(() -> handler.fail(cause));
            } catch (RejectedExecutionException loopShutDown) {
                channel.close();
            }
        }
    }
}
