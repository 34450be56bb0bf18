package dev.streams.netty.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The channel handler on an {@link EmbeddedChannel}: autoRead follows the reader's thresholds, writability completes
 * {@code drain()}, and close, exception and handler removal release every buffer while keeping the unread bytes
 * readable. (The leak check fails this class if any pooled buffer fed here is not released.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamsChannelHandlerTest {

    private static final int LIMIT = 16;

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final StreamConnection connection = NettyStreams.attach(channel,
            ConnectOptions.builder().limit(LIMIT).waterMarks(8, 32).build());

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private static ByteBuf pooled(String text) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(text.length());
        buf.writeCharSequence(text, US_ASCII);
        return buf;
    }

    private static String text(CompletableFuture<byte[]> read) {
        return new String(read.join(), US_ASCII);
    }

    @Test
    void readsWhatTheChannelReceives() {
        channel.writeInbound(pooled("hello\nwor"), pooled("ld\n"));
        assertThat(text(connection.reader().readLine())).isEqualTo("hello\n");
        assertThat(text(connection.reader().readLine())).isEqualTo("world\n");
    }

    @Test
    void aWaitingReadCompletesWhenDataArrives() {
        CompletableFuture<byte[]> line = connection.reader().readLine();
        assertThat(line).isNotDone();
        channel.writeInbound(pooled("late\n"));
        assertThat(text(line)).isEqualTo("late\n");
    }

    @Test
    void autoReadTurnsOffAboveTwiceTheLimitAndOnAgainAtTheLimit() {
        channel.writeInbound(pooled("a".repeat(2 * LIMIT)));
        assertThat(channel.config().isAutoRead()).as("at exactly 2 x limit").isTrue();
        channel.writeInbound(pooled("b"));
        assertThat(channel.config().isAutoRead()).as("above 2 x limit").isFalse();
        connection.reader().read(LIMIT).join(); // 2 x limit + 1 - limit = limit + 1 left: still off
        assertThat(channel.config().isAutoRead()).as("at limit + 1").isFalse();
        connection.reader().read(1).join(); // limit left
        assertThat(channel.config().isAutoRead()).as("at limit").isTrue();
        assertThat(connection.reader().read(-1)).isNotDone();
    }

    @Test
    void aWaitingReadTurnsReadingBackOn() {
        channel.writeInbound(pooled("x".repeat(2 * LIMIT + 1)));
        assertThat(channel.config().isAutoRead()).isFalse();
        CompletableFuture<byte[]> big = connection.reader().readExactly(4 * LIMIT);
        assertThat(channel.config().isAutoRead()).as("a read waits").isTrue();
        channel.writeInbound(pooled("y".repeat(4 * LIMIT)));
        assertThat(big.join()).hasSize(4 * LIMIT);
    }

    @Test
    void drainWaitsForWritabilityAndCompletesWhenTheQueueIsFlushed() {
        connection.writer().write(new byte[40]); // above the 32-byte high water mark, not flushed yet
        assertThat(channel.isWritable()).isFalse();
        CompletableFuture<Void> first = connection.writer().drain();
        CompletableFuture<Void> second = connection.writer().drain();
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        channel.runPendingTasks(); // the coalesced flush
        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        ByteBuf written = channel.readOutbound();
        assertThat(written.readableBytes()).isEqualTo(40);
        written.release();
    }

    @Test
    void everyWriteFormIsSentInOrder() {
        connection.writer().write("a".getBytes(US_ASCII));
        connection.writer().write("xbcx".getBytes(US_ASCII), 1, 2);
        connection.writer().write(ByteBuffer.wrap("d".getBytes(US_ASCII)));
        connection.writer().write(new byte[0]);
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; buf.release()) {
            out.append(buf.toString(US_ASCII));
        }
        assertThat(out).hasToString("abcd");
    }

    @Test
    void writesMadeWhileReadingAreFlushedAtReadComplete() {
        connection.reader().readLine().thenAccept(line -> connection.writer().write(line));
        channel.writeInbound(pooled("ping\n")); // writeInbound ends with channelReadComplete
        ByteBuf echoed = channel.readOutbound();
        assertThat(echoed.toString(US_ASCII)).isEqualTo("ping\n");
        echoed.release();
    }

    @Test
    void writeLinesWritesEveryLine() {
        connection.writer().writeLines(List.of("a\n".getBytes(US_ASCII), new byte[0], "b\n".getBytes(US_ASCII)));
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; buf.release()) {
            out.append(buf.toString(US_ASCII));
        }
        assertThat(out).hasToString("a\nb\n");
    }

    @Test
    void theWritesOfOneReadBatchLeaveInOneBuffer() {
        connection.reader().readLine().thenAccept(line -> {
            for (int i = 0; i < 3; i++) {
                connection.writer().write(line);
            }
        });
        channel.writeInbound(pooled("ab\n"));
        ByteBuf gathered = channel.readOutbound();
        assertThat(gathered.toString(US_ASCII)).isEqualTo("ab\nab\nab\n");
        gathered.release();
        assertThat(channel.<Object>readOutbound()).as("one buffer for the three writes").isNull();
    }

    @Test
    void gatheredWritesGoToTheChannelOnceTheyAloneWouldReachTheHighWaterMark() {
        // Inside a read callback, so that the flush waits for channelReadComplete (EmbeddedChannel would run the
        // writer's flush task at its next write otherwise).
        long room = channel.bytesBeforeUnwritable();
        List<Object> seen = new java.util.ArrayList<>();
        CompletableFuture<CompletableFuture<Void>> drainedInside = connection.reader().readLine().thenApply(line -> {
            connection.writer().write(new byte[20]); // 20 < 32: kept in the writer's pending buffer for now
            seen.add(channel.bytesBeforeUnwritable());
            seen.add(connection.writer().drain().isDone());
            connection.writer().write(new byte[20]); // 40 >= 32: handed to the channel, whose water marks now apply
            seen.add(channel.isWritable());
            CompletableFuture<Void> drained = connection.writer().drain();
            seen.add(drained.isDone());
            return drained;
        });
        channel.writeInbound(pooled("go\n")); // ends with channelReadComplete: the flush
        assertThat(seen).containsExactly(room, true, false, false);
        assertThat(drainedInside.join()).isCompleted();
        ByteBuf written = channel.readOutbound();
        assertThat(written.readableBytes()).isEqualTo(40);
        written.release();
    }

    @Test
    void aWriteOfThePendingCapacityOrMoreGetsABufferOfItsOwnAfterTheGatheredOnes() {
        connection.writer().write("a".getBytes(US_ASCII));
        connection.writer().write(new byte[WriteQueue.PENDING_CAPACITY]);
        connection.writer().write("b".getBytes(US_ASCII));
        channel.runPendingTasks();
        List<Integer> sizes = new java.util.ArrayList<>();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; buf.release()) {
            sizes.add(buf.readableBytes());
        }
        assertThat(sizes).containsExactly(1, WriteQueue.PENDING_CAPACITY, 1);
    }

    @Test
    void gatheredBytesThatNeverLeftAreReleasedWhenTheChannelCloses() {
        connection.reader().readLine().thenAccept(line -> {
            connection.writer().write("never flushed".getBytes(US_ASCII)); // pending until channelReadComplete
            channel.unsafe().close(channel.voidPromise()); // the connection is gone before that
        });
        channel.writeInbound(pooled("go\n"));
        channel.runPendingTasks(); // nothing left to write; the leak check fails this class on a leak
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThatThrownBy(() -> connection.writer().drain().join()).cause()
                .isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void bytesWrittenBeforeTheHandlerIsRemovedFromALiveChannelStillGoOut() {
        connection.writer().write("last words".getBytes(US_ASCII)); // gathered, not yet in the channel
        channel.pipeline().remove(StreamsChannelHandler.class);
        ByteBuf sent = channel.readOutbound();
        assertThat(sent).as("written and flushed when the handler left").isNotNull();
        assertThat(sent.toString(US_ASCII)).isEqualTo("last words");
        sent.release();
        assertThatThrownBy(() -> connection.writer().drain().join()).cause()
                .isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void aWriteMadeByCodeThatChannelWriteRunsIsNeitherLostNorReordered() {
        EmbeddedChannel reentrant = new EmbeddedChannel();
        StreamConnection[] holder = new StreamConnection[1];
        reentrant.pipeline().addLast(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            private boolean once;

            @Override
            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg,
                              io.netty.channel.ChannelPromise promise) {
                if (!once) {
                    once = true;
                    holder[0].writer().write("B".getBytes(US_ASCII)); // user code inside channel.write
                }
                ctx.write(msg, promise);
            }
        });
        holder[0] = NettyStreams.attach(reentrant);
        try {
            holder[0].reader().readLine().thenAccept(line -> {
                holder[0].writer().write("A".getBytes(US_ASCII));
                // Does not fit next to "A": "A" is handed to the channel, whose handler writes "B".
                holder[0].writer().write(new byte[WriteQueue.PENDING_CAPACITY]);
            });
            reentrant.writeInbound(pooled("go\n"));
            List<String> sent = new java.util.ArrayList<>();
            for (ByteBuf buf; (buf = reentrant.readOutbound()) != null; buf.release()) {
                sent.add(buf.readableBytes() == WriteQueue.PENDING_CAPACITY ? "X" : buf.toString(US_ASCII));
            }
            assertThat(sent).containsExactly("A", "B", "X");
        } finally {
            reentrant.finishAndReleaseAll();
        }
    }

    @Test
    void closeKeepsUnreadBytesReadableAndReleasesTheNetworkBuffers() {
        channel.writeInbound(pooled("unread "), pooled("tail"));
        connection.writer().close();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(connection.writer().isClosing()).isTrue();
        assertThat(text(connection.reader().read(-1))).isEqualTo("unread tail");
        assertThat(connection.reader().atEof()).isTrue();
        assertThat(connection.writer().waitClosed()).isCompleted();
    }

    @Test
    void closeIsIdempotentAndWritesAfterItAreRefused() {
        connection.writer().close();
        connection.writer().close();
        assertThatThrownBy(() -> connection.writer().write(new byte[1]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("close");
        assertThatThrownBy(() -> connection.writer().writeLines(List.of(new byte[1])))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anExceptionFailsTheReaderAfterItsBytesAndClosesWithTheCause() {
        channel.writeInbound(pooled("before"));
        IOException boom = new IOException("boom");
        channel.pipeline().fireExceptionCaught(boom);
        assertThat(channel.isOpen()).isFalse();
        assertThat(connection.reader().exception()).isSameAs(boom);
        assertThat(text(connection.reader().read(100))).isEqualTo("before");
        assertThatThrownBy(() -> connection.reader().read(100).join()).cause().isSameAs(boom);
        assertThatThrownBy(() -> connection.writer().waitClosed().join()).cause().isSameAs(boom);
        assertThatThrownBy(() -> connection.writer().drain().join()).cause().isSameAs(boom);
    }

    @Test
    void waitClosedAskedBeforeTheEndSettlesWithItAndLaterOnesAnswerAlike() {
        CompletableFuture<Void> before = connection.writer().waitClosed();
        assertThat(before).isNotDone();
        IOException boom = new IOException("boom");
        channel.pipeline().fireExceptionCaught(boom);
        assertThatThrownBy(before::join).cause().isSameAs(boom);
        assertThatThrownBy(() -> connection.writer().waitClosed().join()).cause().isSameAs(boom);
    }

    @Test
    void aWaitClosedFutureChangedByItsCallerChangesNoOtherConnectionsOrCallers() {
        EmbeddedChannel other = new EmbeddedChannel();
        StreamConnection second = NettyStreams.attach(other, ConnectOptions.builder().build());
        try {
            connection.writer().close(); // both end cleanly before anybody asks
            second.writer().close();
            channel.runPendingTasks();
            other.runPendingTasks();
            CompletableFuture<Void> first = connection.writer().waitClosed();
            first.obtrudeException(new IOException("the caller's own"));
            assertThat(connection.writer().waitClosed()).isCompleted();
            assertThat(second.writer().waitClosed()).isCompleted();
        } finally {
            other.finishAndReleaseAll();
        }
    }

    @Test
    void readyAnswersWithTheConnectionOnceItIsUpEveryTimeItIsAsked() {
        StreamsChannelHandler handler = channel.pipeline().get(StreamsChannelHandler.class);
        assertThat(handler.ready().join()).isSameAs(handler.connection());
        assertThat(handler.ready().join()).isSameAs(handler.connection());
        channel.close();
        assertThat(handler.ready().join()).isSameAs(handler.connection()); // it was ready: the end changes nothing
    }

    @Test
    void aWaitingReadFailsAndDrainFailsOnceTheChannelCloses() {
        CompletableFuture<byte[]> exact = connection.reader().readExactly(10);
        channel.writeInbound(pooled("part"));
        channel.close();
        assertThatThrownBy(exact::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(dev.streams.IncompleteReadException.class).hasMessage(
                        "4 bytes read on a total of 10 expected bytes");
        assertThatThrownBy(() -> connection.writer().drain().join()).cause()
                .isInstanceOf(ClosedChannelException.class);
        assertThat(connection.writer().waitClosed()).isCompleted();
    }

    @Test
    void removingTheHandlerEndsTheStreamAndReleasesItsBuffers() {
        channel.writeInbound(pooled("kept"));
        channel.pipeline().remove(StreamsChannelHandler.class);
        assertThat(text(connection.reader().read(-1))).isEqualTo("kept");
        assertThat(connection.reader().atEof()).isTrue();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void otherMessagesPassOn() {
        channel.writeInbound("not bytes");
        assertThat(channel.<Object>readInbound()).isEqualTo("not bytes");
    }

    @Test
    void writeEofIsUnsupportedWithoutADuplexChannel() {
        assertThat(connection.writer().canWriteEof()).isFalse();
        assertThatThrownBy(() -> connection.writer().writeEof()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> connection.writer().write((byte[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> connection.writer().write(new byte[2], 1, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> connection.writer().write(new byte[2], -1, 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> connection.writer().writeLines(java.util.Arrays.asList(new byte[1], null)))
                .isInstanceOf(NullPointerException.class).hasMessage("lines[1]");
        assertThatThrownBy(() -> NettyStreams.attach(null)).isInstanceOf(NullPointerException.class);
    }
}
