package dev.streams.netty.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.flow.FlowControlHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reader of a channel, at the edges the standalone reader does not have: a connection error is not EOF, and the
 * read-side switch (autoRead) is acted on after the reader's lock, since turning it on runs other handlers' code.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReaderOnChannelTest {

    private static final int LIMIT = 16;

    private static ByteBuf pooled(String text) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(text.length());
        buf.writeCharSequence(text, US_ASCII);
        return buf;
    }

    @Test
    void aConnectionErrorIsNotEofEvenOnceTheBufferIsRead() {
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            StreamConnection connection = NettyStreams.attach(channel);
            channel.writeInbound(pooled("hello\n"));
            IOException reset = new IOException("Connection reset");
            channel.pipeline().fireExceptionCaught(reset);
            assertThat(channel.isOpen()).isFalse();
            assertThat(new String(connection.reader().readLine().join(), US_ASCII)).isEqualTo("hello\n");
            assertThat(connection.reader().atEof()).as("a reset is not EOF (asyncio: EOF only when exc is None)")
                    .isFalse();
            assertThat(connection.reader().exception()).isSameAs(reset);
            assertThatThrownBy(() -> connection.reader().read(-1).join()).cause().isSameAs(reset);
            assertThat(connection.reader().atEof()).isFalse();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aCleanCloseIsStillEof() {
        EmbeddedChannel channel = new EmbeddedChannel();
        StreamConnection connection = NettyStreams.attach(channel);
        channel.writeInbound(pooled("bye"));
        channel.close();
        assertThat(new String(connection.reader().read(-1).join(), US_ASCII)).isEqualTo("bye");
        assertThat(connection.reader().atEof()).isTrue();
        assertThat(connection.reader().exception()).isNull();
        channel.finishAndReleaseAll();
    }

    /**
     * In front of the stream handler: a {@link FlowControlHandler} (which delivers a held message from inside
     * {@code read()}) and a probe that records, for every {@code read()} and {@code channelRead} it sees, whether the
     * reader's lock is held: turning autoRead on runs every outbound handler's {@code read()} inline, so done under
     * the lock it runs user code there, and the message it delivers completes reads under it.
     */
    @Test
    void turningReadingBackOnRunsNoHandlerCodeUnderTheReadersLock() {
        List<String> underLock = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        ByteBufStreamReader[] reader = new ByteBufStreamReader[1];
        ChannelDuplexHandler probe = new ChannelDuplexHandler() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                record("read()");
                ctx.read();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                record("channelRead(" + ((ByteBuf) msg).toString(US_ASCII) + ")");
                ctx.fireChannelRead(msg);
            }

            private void record(String what) {
                seen.add(what);
                if (reader[0] != null && Thread.holdsLock(reader[0])) {
                    underLock.add(what);
                }
            }
        };
        EmbeddedChannel channel = new EmbeddedChannel(new FlowControlHandler(), probe);
        try {
            StreamConnection connection = NettyStreams.attach(channel, ConnectOptions.builder().limit(LIMIT).build());
            reader[0] = (ByteBufStreamReader) connection.reader();

            channel.writeInbound(pooled("a".repeat(2 * LIMIT + 1))); // above 2 x limit: autoRead off
            assertThat(channel.config().isAutoRead()).isFalse();
            channel.writeInbound(pooled("b\n")); // held by the FlowControlHandler while autoRead is off
            assertThat(reader[0].buffered()).isEqualTo(2 * LIMIT + 1);
            seen.clear();

            // A read answered at once that leaves `limit` bytes: reading goes back on, and the FlowControlHandler
            // delivers "b\n" from inside read().
            assertThat(connection.reader().read(LIMIT + 1).join()).hasSize(LIMIT + 1);
            assertThat(channel.config().isAutoRead()).isTrue();
            assertThat(seen).contains("read()", "channelRead(b\n)");
            assertThat(reader[0].buffered()).isEqualTo(LIMIT + 2);

            // A read that waits turns reading on too (from above 2 x limit again).
            channel.writeInbound(pooled("c".repeat(LIMIT)));
            assertThat(channel.config().isAutoRead()).isFalse();
            channel.writeInbound(pooled("tail\n"));
            seen.clear();
            // 34 bytes buffered: this read waits for "tail\n".
            CompletableFuture<String> line = connection.reader().readExactly(2 * LIMIT + 2 + 5)
                    .thenApply(bytes -> {
                        seen.add("callback");
                        if (Thread.holdsLock(reader[0])) {
                            underLock.add("the read's callback");
                        }
                        return new String(bytes, US_ASCII);
                    });
            assertThat(line.join()).endsWith("ctail\n");
            assertThat(seen).contains("read()", "channelRead(tail\n)", "callback");

            assertThat(underLock).as("handler code run under the reader's lock").isEmpty();
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
