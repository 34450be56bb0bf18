package dev.streams.netty.reader;

import static dev.streams.netty.reader.Bytes.b;
import static dev.streams.netty.reader.Bytes.done;
import static dev.streams.netty.reader.Bytes.failure;
import static dev.streams.netty.reader.Bytes.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One waiting read at a time: a second read that would have to wait fails with {@link IllegalStateException} (as a
 * failed future, leaving the first one alone), while a read the buffer answers at once succeeds even while another
 * waits and takes its bytes first; the waiting read then goes on from what is left.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReaderWaiterTest {

    private final FeedableStreamReader reader = NettyStreams.newReader(1024);

    @AfterEach
    void endTheStream() {
        reader.feedEof();
    }

    static java.util.stream.Stream<Arguments> waitingReads() {
        return java.util.stream.Stream.of(
                Arguments.of("read(5)", (Function<FeedableStreamReader, CompletableFuture<byte[]>>) r -> r.read(5)),
                Arguments.of("read(-1)", (Function<FeedableStreamReader, CompletableFuture<byte[]>>) r -> r.read(-1)),
                Arguments.of("readExactly(3)",
                        (Function<FeedableStreamReader, CompletableFuture<byte[]>>) r -> r.readExactly(3)),
                Arguments.of("readUntil(\"|\")",
                        (Function<FeedableStreamReader, CompletableFuture<byte[]>>) r -> r.readUntil(b("|"))),
                Arguments.of("readLine()", (Function<FeedableStreamReader, CompletableFuture<byte[]>>)
                        FeedableStreamReader::readLine));
    }

    @ParameterizedTest(name = "{0} while readLine() waits")
    @MethodSource("waitingReads")
    void aSecondReadThatMustWaitFailsWithIllegalStateAndTheFirstGoesOn(String name,
            Function<FeedableStreamReader, CompletableFuture<byte[]>> second) {
        CompletableFuture<byte[]> first = reader.readLine();

        CompletableFuture<byte[]> refused = second.apply(reader);

        assertThat(failure(refused)).isInstanceOf(IllegalStateException.class).hasMessageContaining("already waiting");
        assertThat(first).isNotDone();
        reader.feedData(b("line\n"));
        assertThat(done(first)).isEqualTo("line\n");
    }

    @ParameterizedTest(name = "readLine() while {0} waits")
    @MethodSource("waitingReads")
    void onceTheWaitingReadIsDoneTheNextReadMayWaitAgain(String name,
            Function<FeedableStreamReader, CompletableFuture<byte[]>> first) {
        CompletableFuture<byte[]> waiting = first.apply(reader);
        assertThat(failure(reader.readLine())).isInstanceOf(IllegalStateException.class);

        reader.feedData(b("ab|c\n"));
        if (!waiting.isDone()) {
            waiting.cancel(true); // read(-1) waits for EOF, which would end the stream
        }
        assertThat(waiting).isDone();

        CompletableFuture<byte[]> next = reader.readExactly(100);
        assertThat(next).as("waits, not refused").isNotDone();
        reader.feedEof();
        assertThat(failure(next)).isInstanceOf(dev.streams.IncompleteReadException.class);
    }

    @Test
    void aReadTheBufferAnswersSucceedsWhileAnotherWaitsAndTakesItsBytesFirst() {
        reader.feedData(b("abc"));
        CompletableFuture<byte[]> waiting = reader.readExactly(5);

        assertThat(done(reader.read(2))).isEqualTo("ab");
        reader.feedData(b("defgh"));

        assertThat(done(waiting)).isEqualTo("cdefg");
        assertThat(done(reader.read(10))).isEqualTo("h");
    }

    @Test
    void aWaitingReadLineFindsItsNewlineAfterAnImmediateReadTookBytes() {
        reader.feedData(b("abcdef"));
        CompletableFuture<byte[]> line = reader.readLine();
        assertThat(line).isNotDone();

        assertThat(done(reader.read(3))).isEqualTo("abc");
        reader.feedData(b("\nnext"));

        assertThat(done(line)).isEqualTo("def\n");
        assertThat(done(reader.read(10))).isEqualTo("next");
    }

    @Test
    void aWaitingReadUntilFindsASplitSeparatorAfterAnImmediateReadTookBytes() {
        reader.feedData(b("0123456789<EN"));
        CompletableFuture<byte[]> until = reader.readUntil(b("<END>"));
        assertThat(until).isNotDone();

        assertThat(done(reader.readExactly(8))).isEqualTo("01234567");
        reader.feedData(b("D>tail"));

        assertThat(done(until)).isEqualTo("89<END>");
        assertThat(done(reader.read(10))).isEqualTo("tail");
    }

    @Test
    void aWaitingReadUntilStillSeesTheLimitAfterAnImmediateReadLineTookALine() {
        FeedableStreamReader limited = NettyStreams.newReader(6);
        try {
            limited.feedData(b("ab\ncde"));
            CompletableFuture<byte[]> until = limited.readUntil(b("#"));
            assertThat(until).isNotDone();
            assertThat(done(limited.readLine())).isEqualTo("ab\n");

            limited.feedData(b("fgh#"));

            assertThat(done(until)).as("'cdefgh' is exactly the limit").isEqualTo("cdefgh#");
        } finally {
            limited.feedEof();
        }
    }

    @Test
    void anImmediateReadUntilAnswersWhileAReadLineWaits() {
        reader.feedData(b("key=value"));
        CompletableFuture<byte[]> line = reader.readLine();

        assertThat(done(reader.readUntil(b("=")))).isEqualTo("key=");
        reader.feedData(b("\n"));

        assertThat(done(line)).isEqualTo("value\n");
    }

    @Test
    void anImmediateReadAtEofOrFailureIsNotARefusal() {
        CompletableFuture<byte[]> waiting = reader.readLine();
        reader.feedData(b("partial"));
        reader.feedEof();

        assertThat(done(waiting)).isEqualTo("partial");
        assertThat(done(reader.readLine())).isEmpty();
        assertThat(done(reader.read(5))).isEmpty();
    }

    @Test
    void theRefusedReadTakesNoBytes() {
        reader.feedData(b("ab"));
        CompletableFuture<byte[]> waiting = reader.readExactly(4);
        assertThat(failure(reader.readLine())).isInstanceOf(IllegalStateException.class);

        reader.feedData(b("cd\n"));

        assertThat(s(waiting.join())).isEqualTo("abcd");
        assertThat(done(reader.readLine())).isEqualTo("\n");
    }
}
