package dev.streams.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reader when the heap cannot take its bytes, in process: a buffer of {@code Integer.MAX_VALUE} readable bytes
 * made of 2,048 slices of one 1 MiB buffer (1 MiB of memory) cannot be copied to a {@code byte[]} (no array is that
 * long), so the copy fails with an {@link OutOfMemoryError} at once, as it would for a limit larger than the heap.
 * The reader drops the bytes (their buffers released: the leak check fails the class otherwise), fails with an
 * {@link IOException} that says so, is not at EOF, and a channel's connection is closed. {@code MemoryExhaustionTest}
 * does it for real, in a child JVM with a small heap.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReaderOutOfMemoryTest {

    private static final int MIB = 1 << 20;

    /** Integer.MAX_VALUE readable bytes that hold 1 MiB of memory; the caller owns the returned buffer. */
    private static ByteBuf tooLongForAnArray() {
        ByteBuf one = Unpooled.buffer(MIB).writeZero(MIB);
        CompositeByteBuf huge = Unpooled.compositeBuffer(2048);
        for (int i = 0; i < 2047; i++) {
            huge.addComponent(true, one.retainedSlice()); // the composite owns each slice
        }
        huge.addComponent(true, one.retainedSlice(0, MIB - 1));
        one.release(); // the slices hold it now
        assertThat(huge.readableBytes()).isEqualTo(Integer.MAX_VALUE);
        return huge;
    }

    private static void assertDropped(Throwable cause, String what) {
        assertThat(cause).isInstanceOf(IOException.class)
                .hasMessage("out of memory " + what + ": 2147483647 unread bytes dropped (reader limit 16)")
                .hasCauseInstanceOf(OutOfMemoryError.class);
    }

    @Test
    void aWaitingReadThatCannotBeCopiedDropsTheBytesAndFailsTheReader() {
        FeedableStreamReader reader = NettyStreams.newReader(16);
        CompletableFuture<byte[]> waiting = reader.readExactly(Integer.MAX_VALUE);
        reader.feedData(tooLongForAnArray()); // the reader owns it
        assertThat(waiting).as("answered at once: the copy failed").isCompletedExceptionally();
        assertThatThrownBy(waiting::join).cause().satisfies(c -> assertDropped(c, "for a read"));
        reader.feedEof();
        assertThat(reader.atEof()).as("the end was not read: the bytes were dropped").isFalse();
        assertThatThrownBy(() -> reader.read(-1).join()).cause().isSameAs(reader.exception());
    }

    @Test
    void theEofCopyFailingFailsTheReaderInsteadOfThrowing() {
        FeedableStreamReader reader = NettyStreams.newReader(16);
        reader.feedData(tooLongForAnArray());
        reader.feedEof(); // copies the unread bytes to the heap: impossible here
        assertDropped(reader.exception(), "to keep the unread bytes after the end of the stream");
        assertThat(reader.atEof()).isFalse();
        assertThatThrownBy(() -> reader.readLine().join()).cause().isSameAs(reader.exception());
    }

    @Test
    void aChannelsConnectionIsClosedWithTheCause() {
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            StreamConnection connection = NettyStreams.attach(channel, ConnectOptions.builder().limit(16).build());
            channel.writeInbound(tooLongForAnArray());
            assertThat(channel.isOpen()).isTrue();
            channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE); // EOF: the copy fails
            assertThat(channel.isOpen()).as("closed: it cannot be served").isFalse();
            Throwable cause = connection.reader().exception();
            assertDropped(cause, "to keep the unread bytes after the end of the stream");
            assertThat(connection.reader().atEof()).isFalse();
            assertThatThrownBy(() -> connection.writer().waitClosed().join()).cause().isSameAs(cause);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aReadThatCannotBeCopiedFailsTheConnectionNotTheCaller() {
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            StreamConnection connection = NettyStreams.attach(channel, ConnectOptions.builder().limit(16).build());
            channel.writeInbound(tooLongForAnArray());
            CompletableFuture<byte[]> all = connection.reader().read(Integer.MAX_VALUE);
            assertThatThrownBy(all::join).cause().satisfies(c -> assertDropped(c, "for a read"));
            assertThat(channel.isOpen()).isFalse();
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
