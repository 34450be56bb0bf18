package dev.streams.netty.reader;

import static dev.streams.netty.reader.Bytes.b;
import static dev.streams.netty.reader.Bytes.failure;
import static dev.streams.netty.reader.Bytes.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.IncompleteReadException;
import dev.streams.LimitOverrunException;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.reader.Chunkings.Chunking;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiers beside {@code byte[]}: {@code read(ByteBuffer)} into the caller's memory and the {@code ByteBuf} reads of
 * {@link dev.streams.netty.NettyStreamReader}. Each answers exactly what its {@code byte[]} twin answers, over every
 * chunking, whether the bytes were there first or the read waited; the buffers handed over are the caller's (the leak
 * check fails the class if one is lost or released twice); a cancelled read takes nothing.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReaderTiersTest {

    private static final String ALL = "dev.streams.netty.reader.Chunkings#all";
    private static final byte[] DATA = b("alpha\nbeta|gamma\r\nde\nlta, and the rest");

    /** One read in its three forms; the ByteBuffer form only for read(n). */
    private static final class Step {
        final String name;
        final Function<FeedableStreamReader, CompletableFuture<byte[]>> array;
        final Function<FeedableStreamReader, CompletableFuture<ByteBuf>> buf;

        Step(String name, Function<FeedableStreamReader, CompletableFuture<byte[]>> array,
             Function<FeedableStreamReader, CompletableFuture<ByteBuf>> buf) {
            this.name = name;
            this.array = array;
            this.buf = buf;
        }
    }

    private static final List<Step> SCRIPT = List.of(
            new Step("readLine", FeedableStreamReader::readLine, FeedableStreamReader::readLineBuf),
            new Step("readUntil(|)", r -> r.readUntil(b("|")), r -> r.readUntilBuf(b("|"))),
            new Step("readExactly(3)", r -> r.readExactly(3), r -> r.readExactlyBuf(3)),
            new Step("read(4)", r -> r.read(4), r -> r.readBuf(4)),
            new Step("readUntil(\\r\\n, \\n)", r -> r.readUntil(b("\r\n"), b("\n")),
                    r -> r.readUntilBuf(b("\r\n"), b("\n"))),
            new Step("readLine", FeedableStreamReader::readLine, FeedableStreamReader::readLineBuf),
            new Step("read(-1)", r -> r.read(-1), r -> r.readBuf(-1)),
            new Step("read(10) at EOF", r -> r.read(10), r -> r.readBuf(10)),
            new Step("readLine at EOF", FeedableStreamReader::readLine, FeedableStreamReader::readLineBuf));

    /** The array answers of the script, read from a reader fed in one buffer. */
    private static List<String> expected() {
        FeedableStreamReader reader = NettyStreams.newReader(1024);
        reader.feedData(DATA);
        reader.feedEof();
        List<String> answers = new ArrayList<>();
        for (Step step : SCRIPT) {
            answers.add(s(step.array.apply(reader).join()));
        }
        return answers;
    }

    private static String taken(ByteBuf buf) {
        try {
            return s(ByteBufUtil.getBytes(buf));
        } finally {
            buf.release(); // the caller owns what a Buf read returns
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void bufReadsAnswerWhatTheirArrayTwinsAnswerWhenTheBytesAreThereFirst(Chunking chunking) {
        FeedableStreamReader reader = NettyStreams.newReader(1024);
        chunking.feedAll(reader, DATA, b("|"), b("\r\n"), b("\n"));
        reader.feedEof();
        List<String> answers = new ArrayList<>();
        for (Step step : SCRIPT) {
            CompletableFuture<ByteBuf> read = step.buf.apply(reader);
            assertThat(read).as(step.name).isDone();
            answers.add(taken(read.join()));
        }
        assertThat(answers).isEqualTo(expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void bufReadsThatWaitAnswerWhatTheirArrayTwinsAnswer(Chunking chunking) {
        List<String> arrays = readWaiting(chunking, step -> step.array);
        List<String> bufs = readWaiting(chunking, step -> step.buf);
        assertThat(bufs).isEqualTo(arrays);
    }

    /**
     * Runs the script with each read issued before its bytes arrive: chunks are fed one at a time until the read is
     * done (read(n) answers with the first chunk's bytes), then EOF.
     */
    private static List<String> readWaiting(
            Chunking chunking, Function<Step, Function<FeedableStreamReader, ? extends CompletableFuture<?>>> form) {
        FeedableStreamReader reader = NettyStreams.newReader(1024);
        List<byte[]> chunks = chunking.split(DATA, b("|"), b("\r\n"), b("\n"));
        int next = 0;
        List<String> answers = new ArrayList<>();
        for (Step step : SCRIPT) {
            CompletableFuture<?> read = form.apply(step).apply(reader);
            while (!read.isDone()) {
                if (next < chunks.size()) {
                    chunking.feed(reader, chunks.get(next++));
                } else {
                    reader.feedEof();
                }
            }
            Object value = read.join();
            answers.add(value instanceof ByteBuf ? taken((ByteBuf) value) : s((byte[]) value));
        }
        return answers;
    }

    @Test
    void bytesSpreadOverSeveralNetworkBuffersComeAsACompositeOfTheirSlicesWithoutACopy() {
        FeedableStreamReader reader = NettyStreams.newReader(1024);
        ByteBuf first = PooledByteBufAllocator.DEFAULT.directBuffer(8).writeBytes(b("one "));
        ByteBuf second = PooledByteBufAllocator.DEFAULT.directBuffer(8).writeBytes(b("line\nx"));
        reader.feedData(first); // the reader owns both from here
        reader.feedData(second);

        ByteBuf line = reader.readLineBuf().join();
        try {
            assertThat(line).isInstanceOf(CompositeByteBuf.class);
            assertThat(s(ByteBufUtil.getBytes(line))).isEqualTo("one line\n");
            assertThat(first.refCnt()).as("read to the end: only the caller's slice holds it").isEqualTo(1);
            assertThat(second.refCnt()).as("the reader's and the caller's").isEqualTo(2);
            second.setByte(0, 'L'); // a view, not a copy
            assertThat(s(ByteBufUtil.getBytes(line))).isEqualTo("one Line\n");
        } finally {
            line.release();
        }
        reader.feedEof();
        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).as("the unread x moved to the heap at EOF").isZero();
        assertThat(s(reader.read(-1).join())).isEqualTo("x");
    }

    @Test
    void aCancelledBufReadTakesNothingAndTheNextReadGetsTheBytes() {
        FeedableStreamReader reader = NettyStreams.newReader(1024);
        CompletableFuture<ByteBuf> waiting = reader.readExactlyBuf(6);
        reader.feedData(PooledByteBufAllocator.DEFAULT.directBuffer(8).writeBytes(b("abc")));
        assertThat(waiting.cancel(false)).isTrue();
        reader.feedData(b("def"));

        assertThat(taken(reader.readExactlyBuf(6).join())).isEqualTo("abcdef");
        reader.feedEof();
    }

    @Test
    void bufReadsFailAsTheirTwinsDo() {
        FeedableStreamReader reader = NettyStreams.newReader(4);
        reader.feedData(b("0123456789"));
        assertThat(failure(reader.readUntilBuf(b("\n")))).isInstanceOf(LimitOverrunException.class);
        assertThat(taken(reader.readBuf(3).join())).as("the buffer was left as it was").isEqualTo("012");
        reader.feedEof();
        Throwable incomplete = failure(reader.readExactlyBuf(100));
        assertThat(incomplete).isInstanceOf(IncompleteReadException.class);
        assertThat(s(((IncompleteReadException) incomplete).partial())).isEqualTo("3456789");
        assertThatThrownBy(() -> reader.readExactlyBuf(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readExactly size < 0: -1");
        assertThatThrownBy(() -> reader.readUntilBuf()).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------- read(ByteBuffer)

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void readIntoTheCallersMemoryCopiesWhatReadWouldReturnAndMinusOneAtEof(Chunking chunking) {
        FeedableStreamReader reader = NettyStreams.newReader(1024);
        ByteBuffer dst = ByteBuffer.allocate(DATA.length + 10);
        dst.put(b("[")); // bytes go after the position
        CompletableFuture<Integer> first = reader.read(dst);
        assertThat(first).as("waits for a byte").isNotDone();
        chunking.feedAll(reader, DATA);
        reader.feedEof();
        int total = first.join();
        while (dst.hasRemaining()) {
            int n = reader.read(dst).join();
            if (n < 0) {
                break;
            }
            total += n;
        }
        assertThat(total).isEqualTo(DATA.length);
        assertThat(s(java.util.Arrays.copyOf(dst.array(), dst.position()))).isEqualTo("[" + s(DATA));
        assertThat(reader.read(ByteBuffer.allocate(4)).join()).isEqualTo(-1);
    }

    @Test
    void readIntoTakesAtMostWhatRemainsAndNothingWhenCancelled() {
        FeedableStreamReader reader = NettyStreams.newReader(1024);
        ByteBuffer small = ByteBuffer.allocateDirect(3);
        CompletableFuture<Integer> waiting = reader.read(small);
        assertThat(waiting.cancel(false)).isTrue();
        reader.feedData(b("abcdef"));
        assertThat(small.position()).as("nothing copied into a cancelled read's buffer").isZero();

        assertThat(reader.read(small).join()).isEqualTo(3);
        assertThat(small.position()).isEqualTo(3);
        assertThat(reader.read(small).join()).as("no room: 0 at once").isZero();
        assertThatThrownBy(() -> reader.read(ByteBuffer.allocate(4).asReadOnlyBuffer()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
        assertThatThrownBy(() -> reader.read((ByteBuffer) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("dst");
        reader.feedEof();
    }

    @Test
    void readIntoAfterAFailureReturnsTheBufferedBytesThenTheCause() {
        FeedableStreamReader reader = NettyStreams.newReader(1024);
        reader.feedData(b("kept"));
        IOException reset = new IOException("reset");
        reader.setException(reset);
        ByteBuffer dst = ByteBuffer.allocate(16);
        assertThat(reader.read(dst).join()).isEqualTo(4);
        assertThat(failure(reader.read(dst))).isSameAs(reset);
    }
}
