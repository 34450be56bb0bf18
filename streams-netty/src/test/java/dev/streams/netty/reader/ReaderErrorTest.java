package dev.streams.netty.reader;

import static dev.streams.netty.reader.Bytes.b;
import static dev.streams.netty.reader.Bytes.done;
import static dev.streams.netty.reader.Bytes.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.reader.Chunkings.Chunking;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A failed stream ({@code setException}): reads first return the bytes already buffered (unlike asyncio), then fail
 * with the same cause instance every time; {@code exception()} reports the cause at once; a waiting read is failed
 * by it; and the network buffers are released as soon as the stream has ended.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReaderErrorTest {

    private final FeedableStreamReader reader = NettyStreams.newReader(1024);
    private final IOException cause = new SocketException("Connection reset");

    @AfterEach
    void endTheStream() {
        reader.feedEof();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.streams.netty.reader.Chunkings#all")
    void bufferedBytesAreReadFirstThenEveryReadFailsWithTheSameCause(Chunking chunking) {
        chunking.feedAll(reader, b("one\ntwo\nrest"));
        reader.setException(cause);

        assertThat(done(reader.readLine())).isEqualTo("one\n");
        assertThat(done(reader.readUntil(b("\n")))).isEqualTo("two\n");
        assertThat(done(reader.readExactly(2))).isEqualTo("re");
        assertThat(done(reader.read(100))).isEqualTo("st");

        for (int round = 0; round < 2; round++) {
            assertThat(failure(reader.read(1))).isSameAs(cause);
            assertThat(failure(reader.read(-1))).isSameAs(cause);
            assertThat(failure(reader.readExactly(1))).isSameAs(cause);
            assertThat(failure(reader.readUntil(b("x")))).isSameAs(cause);
            assertThat(failure(reader.readLine())).isSameAs(cause);
        }
        assertThat(done(reader.read(0))).as("read(0) is empty at once, even failed").isEmpty();
    }

    @Test
    void exceptionReportsTheCauseAtOnceWhileBytesRemain() {
        reader.feedData(b("unread"));

        reader.setException(cause);

        assertThat(reader.exception()).isSameAs(cause);
        assertThat(done(reader.read(100))).isEqualTo("unread");
        assertThat(reader.exception()).isSameAs(cause);
    }

    @Test
    void aReadTheBufferCannotAnswerFailsAndLeavesTheBytesForReadsThatCan() {
        reader.feedData(b("no newline"));
        reader.setException(cause);

        assertThat(failure(reader.readLine())).as("no '\\n' will ever come").isSameAs(cause);
        assertThat(failure(reader.readExactly(20))).isSameAs(cause);
        assertThat(failure(reader.read(-1))).as("no EOF will ever come").isSameAs(cause);

        assertThat(done(reader.readExactly(3))).isEqualTo("no ");
        assertThat(done(reader.read(100))).isEqualTo("newline");
        assertThat(failure(reader.read(100))).isSameAs(cause);
    }

    @Test
    void aWaitingReadIsFailedBySetException() {
        CompletableFuture<byte[]> read = reader.readExactly(10);
        reader.feedData(b("abc"));

        reader.setException(cause);

        assertThat(failure(read)).isSameAs(cause);
        assertThat(done(reader.read(10))).as("the bytes the failed read did not take").isEqualTo("abc");
        assertThat(failure(reader.read(10))).isSameAs(cause);
    }

    @Test
    void waitingReadAllAndReadLineAreFailedBySetException() {
        CompletableFuture<byte[]> all = reader.read(-1);
        reader.feedData(b("partial"));
        reader.setException(cause);
        assertThat(failure(all)).isSameAs(cause);

        FeedableStreamReader other = NettyStreams.newReader(1024);
        try {
            CompletableFuture<byte[]> line = other.readLine();
            other.setException(cause);
            assertThat(failure(line)).isSameAs(cause);
        } finally {
            other.feedEof();
        }
    }

    @Test
    void aWaitingReadNIsFailedBySetExceptionWithAnEmptyBuffer() {
        CompletableFuture<byte[]> read = reader.read(5);

        reader.setException(cause);

        assertThat(failure(read)).isSameAs(cause);
    }

    @Test
    void theFirstCauseSticks() {
        reader.setException(cause);
        reader.setException(new IOException("second"));

        assertThat(reader.exception()).isSameAs(cause);
        assertThat(failure(reader.read(1))).isSameAs(cause);
    }

    @Test
    void aFailureAfterEofWinsOverEof() {
        reader.feedData(b("ab"));
        reader.feedEof();
        reader.setException(cause);

        assertThat(reader.exception()).isSameAs(cause);
        assertThat(done(reader.read(100))).as("buffered bytes first").isEqualTo("ab");
        assertThat(failure(reader.read(100))).isSameAs(cause);
    }

    @Test
    void setExceptionRejectsNull() {
        assertThatThrownBy(() -> reader.setException(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("cause");
    }

    @Test
    void networkBuffersAreReleasedAtTheFailureAndTheirBytesKept() {
        ByteBuf first = PooledByteBufAllocator.DEFAULT.directBuffer(8).writeBytes(b("pooled "));
        ByteBuf second = PooledByteBufAllocator.DEFAULT.directBuffer(8).writeBytes(b("bytes"));
        reader.feedData(first);
        reader.feedData(second);

        reader.setException(cause);

        assertThat(first.refCnt()).as("released at the failure").isZero();
        assertThat(second.refCnt()).isZero();
        assertThat(done(reader.read(100))).isEqualTo("pooled bytes");
    }

    @Test
    void networkBuffersAreReleasedAtEofAndTheirBytesKept() {
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(16).writeBytes(b("left unread"));
        reader.feedData(data);

        reader.feedEof();

        assertThat(data.refCnt()).as("copied to the heap and released at EOF").isZero();
        assertThat(done(reader.read(-1))).isEqualTo("left unread");
    }

    @Test
    void aBufferIsReleasedOnceAllItsBytesWereRead() {
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(16).writeBytes(b("abcdef"));
        reader.feedData(data);

        assertThat(done(reader.read(3))).isEqualTo("abc");
        assertThat(data.refCnt()).as("half read: still held").isEqualTo(1);
        assertThat(done(reader.read(3))).isEqualTo("def");
        assertThat(data.refCnt()).as("fully read: released").isZero();
    }
}
