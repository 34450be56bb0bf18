package dev.streams.netty.reader;

import static dev.streams.netty.reader.Bytes.b;
import static dev.streams.netty.reader.Bytes.done;
import static dev.streams.netty.reader.Bytes.failure;
import static dev.streams.netty.reader.Bytes.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.IncompleteReadException;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.reader.Chunkings.Chunking;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of API.md's StreamReader table, each run over every {@link Chunkings chunking} of the same bytes, both
 * with the data fed before the read (the buffer answers at once) and with the read issued first (it waits, and must
 * complete exactly when the bytes that answer it have arrived, not one chunk earlier or later).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReaderTableTest {

    private static final String ALL = "dev.streams.netty.reader.Chunkings#all";
    private static final int NEVER = Integer.MAX_VALUE;

    private final FeedableStreamReader reader = NettyStreams.newReader(1024);

    /** A reader left with unread bytes holds its buffers until EOF (the handler feeds it on close); end it. */
    @AfterEach
    void endTheStream() {
        reader.feedEof();
    }

    /**
     * Feeds the chunks one at a time and checks, before and after each, that {@code read} is complete exactly when
     * at least {@code doneAt} bytes have been fed.
     */
    private void feedWatching(Chunking chunking, List<byte[]> chunks, CompletableFuture<byte[]> read, int doneAt) {
        int fed = 0;
        for (byte[] chunk : chunks) {
            assertThat(read.isDone()).as("read complete after %d bytes fed (%s)", fed, chunking)
                    .isEqualTo(fed >= doneAt);
            chunking.feed(reader, chunk);
            fed += chunk.length;
        }
        assertThat(read.isDone()).as("read complete after all %d bytes fed (%s)", fed, chunking)
                .isEqualTo(fed >= doneAt);
    }

    // ------------------------------------------------------------------------------------------- read(n)

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void readNReturnsUpToNBytesFromTheBuffer(Chunking chunking) {
        chunking.feedAll(reader, b("hello, world"));

        assertThat(done(reader.read(5))).isEqualTo("hello");
        assertThat(done(reader.read(100))).isEqualTo(", world");
        reader.feedEof();
        assertThat(done(reader.read(5))).as("empty at EOF").isEmpty();
        assertThat(done(reader.read(5))).as("empty at EOF, again").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void waitingReadNCompletesWithTheFirstBytesThatArriveWithoutWaitingToFillN(Chunking chunking) {
        byte[] data = b("hello, world");
        List<byte[]> chunks = chunking.split(data);
        CompletableFuture<byte[]> read = reader.read(5);

        feedWatching(chunking, chunks, read, 1);

        String first = s(chunks.get(0));
        String expected = first.substring(0, Math.min(5, first.length()));
        assertThat(s(read.join())).as("the first chunk, up to 5 bytes").isEqualTo(expected);
        assertThat(done(reader.read(100))).isEqualTo("hello, world".substring(expected.length()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void smallReadsReturnEveryByteInOrderThenEmptyAtEof(Chunking chunking) {
        byte[] data = Bytes.letters(100);
        chunking.feedAll(reader, data);
        reader.feedEof();

        StringBuilder all = new StringBuilder();
        for (String part = done(reader.read(3)); !part.isEmpty(); part = done(reader.read(3))) {
            assertThat(part.length()).isBetween(1, 3);
            all.append(part);
        }
        assertThat(all.toString()).isEqualTo(s(data));
        assertThat(reader.atEof()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void readZeroIsEmptyAtOnceAndTakesNothing(Chunking chunking) {
        assertThat(done(reader.read(0))).as("nothing buffered, no EOF: still at once").isEmpty();

        chunking.feedAll(reader, b("abc"));
        assertThat(done(reader.read(0))).isEmpty();
        assertThat(done(reader.read(10))).as("read(0) took nothing").isEqualTo("abc");

        reader.feedEof();
        assertThat(done(reader.read(0))).isEmpty();
    }

    // ------------------------------------------------------------------------------------------- read(-1)

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void readAllReturnsEverythingUpToEof(Chunking chunking) {
        byte[] data = b("line one\nline two\nno newline at the end");
        chunking.feedAll(reader, data);
        CompletableFuture<byte[]> read = reader.read(-1);
        assertThat(read).as("read(-1) waits for EOF").isNotDone();

        reader.feedEof();

        assertThat(done(read)).isEqualTo(s(data));
        assertThat(done(reader.read(-1))).as("at EOF: empty").isEmpty();
        assertThat(reader.atEof()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void waitingReadAllCompletesOnlyAtEof(Chunking chunking) {
        byte[] data = Bytes.letters(200);
        CompletableFuture<byte[]> read = reader.read(-1);

        feedWatching(chunking, chunking.split(data), read, NEVER);
        reader.feedEof();

        assertThat(done(read)).isEqualTo(s(data));
    }

    // ------------------------------------------------------------------------------------------- readExactly

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void readExactlyReturnsExactlyNBytes(Chunking chunking) {
        chunking.feedAll(reader, b("0123456789abcdef"));

        assertThat(done(reader.readExactly(10))).isEqualTo("0123456789");
        assertThat(done(reader.readExactly(0))).isEmpty();
        assertThat(done(reader.readExactly(6))).isEqualTo("abcdef");
        assertThat(reader.readExactly(1)).as("nothing left: waits").isNotDone();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void waitingReadExactlyCompletesWhenTheNthByteArrives(Chunking chunking) {
        byte[] data = b("0123456789abcdef");
        CompletableFuture<byte[]> read = reader.readExactly(10);

        feedWatching(chunking, chunking.split(data), read, 10);

        assertThat(s(read.join())).isEqualTo("0123456789");
        assertThat(done(reader.read(100))).isEqualTo("abcdef");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void readExactlyAtEofFailsWithThePartialBytesWhichAreConsumed(Chunking chunking) {
        chunking.feedAll(reader, b("0123456"));
        reader.feedEof();

        Throwable failure = failure(reader.readExactly(10));

        assertThat(failure).isInstanceOf(IncompleteReadException.class)
                .hasMessage("7 bytes read on a total of 10 expected bytes");
        IncompleteReadException incomplete = (IncompleteReadException) failure;
        assertThat(s(incomplete.partial())).isEqualTo("0123456");
        assertThat(incomplete.expected()).isEqualTo(10);
        assertThat(reader.atEof()).as("the partial bytes were consumed").isTrue();
        assertThat(done(reader.read(-1))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void waitingReadExactlyFailsWhenEofArrivesFirst(Chunking chunking) {
        CompletableFuture<byte[]> read = reader.readExactly(20);

        feedWatching(chunking, chunking.split(b("0123456789")), read, NEVER);
        reader.feedEof();

        assertThat(failure(read)).isInstanceOfSatisfying(IncompleteReadException.class, e -> {
            assertThat(s(e.partial())).isEqualTo("0123456789");
            assertThat(e.expected()).isEqualTo(20);
            assertThat(e).hasMessage("10 bytes read on a total of 20 expected bytes");
        });
        assertThat(reader.atEof()).isTrue();
    }

    // ------------------------------------------------------------------------------------------- readUntil

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void readUntilReturnsUpToAndIncludingTheSeparator(Chunking chunking) {
        byte[] separator = b("--");
        chunking.feedAll(reader, b("alpha--beta----gamma"), separator);

        assertThat(done(reader.readUntil(separator))).isEqualTo("alpha--");
        assertThat(done(reader.readUntil(separator))).isEqualTo("beta--");
        assertThat(done(reader.readUntil(separator))).as("an empty chunk before the separator").isEqualTo("--");
        assertThat(reader.readUntil(separator)).as("no separator left: waits").isNotDone();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void waitingReadUntilCompletesWhenTheSeparatorIsComplete(Chunking chunking) {
        byte[] separator = b("<END>");
        byte[] data = b("some <EN data<END>rest");
        CompletableFuture<byte[]> read = reader.readUntil(separator);

        feedWatching(chunking, chunking.split(data, separator), read, "some <EN data<END>".length());

        assertThat(s(read.join())).isEqualTo("some <EN data<END>");
        assertThat(done(reader.read(100))).isEqualTo("rest");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void readUntilWithSeveralSeparatorsTakesTheMatchThatEndsFirst(Chunking chunking) {
        byte[] longer = b("ABCD");
        byte[] inner = b("BC");
        // "ABCD" starts first but "BC" ends first; the order of the arguments does not matter.
        chunking.feedAll(reader, b("zABCDzzABCD"), longer, inner);

        assertThat(done(reader.readUntil(longer, inner))).isEqualTo("zABC");
        assertThat(done(reader.readUntil(inner, longer))).as("'BC' is gone: 'ABCD' is the first to end")
                .isEqualTo("Dzz" + "ABC");
        assertThat(done(reader.readUntil(b("D"), b("XYZ")))).isEqualTo("D");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void waitingReadUntilWithSeveralSeparatorsCompletesAtTheFirstEnd(Chunking chunking) {
        byte[] crlf = b("\r\n");
        byte[] blankLine = b("\r\n\r\n");
        byte[] data = b("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        CompletableFuture<byte[]> read = reader.readUntil(blankLine, crlf);

        feedWatching(chunking, chunking.split(data, crlf, blankLine), read, "GET / HTTP/1.1\r\n".length());

        assertThat(s(read.join())).isEqualTo("GET / HTTP/1.1\r\n");
        assertThat(done(reader.readUntil(blankLine))).isEqualTo("Host: x\r\n\r\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void readUntilAtEofFailsWithThePartialBytesAndUndefinedExpected(Chunking chunking) {
        byte[] separator = b("||");
        chunking.feedAll(reader, b("no separator | here"), separator);
        reader.feedEof();

        Throwable failure = failure(reader.readUntil(separator));

        assertThat(failure).isInstanceOfSatisfying(IncompleteReadException.class, e -> {
            assertThat(s(e.partial())).isEqualTo("no separator | here");
            assertThat(e.expected()).isEqualTo(-1);
        }).hasMessage("19 bytes read on a total of undefined expected bytes");
        assertThat(reader.atEof()).as("the partial bytes were consumed").isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void waitingReadUntilFailsWhenEofArrivesBeforeAMatch(Chunking chunking) {
        byte[] separator = b("||");
        CompletableFuture<byte[]> read = reader.readUntil(separator);

        feedWatching(chunking, chunking.split(b("a|b|c|"), separator), read, NEVER);
        reader.feedEof();

        assertThat(failure(read)).isInstanceOfSatisfying(IncompleteReadException.class, e -> {
            assertThat(s(e.partial())).isEqualTo("a|b|c|");
            assertThat(e.expected()).isEqualTo(-1);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void waitingReadUntilFindsASelfOverlappingSeparator(Chunking chunking) {
        byte[] separator = b("aab");
        CompletableFuture<byte[]> read = reader.readUntil(separator);

        // "aaab": a naive search restarting after the failed "aa" + "a" would miss the match at index 2.
        feedWatching(chunking, chunking.split(b("xaaaab!"), separator), read, "xaaaab".length());

        assertThat(s(read.join())).isEqualTo("xaaaab");
        assertThat(done(reader.read(10))).isEqualTo("!");
    }

    // ------------------------------------------------------------------------------------------- readLine

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void readLineReturnsLinesThenThePartialLastLineThenEmpty(Chunking chunking) {
        chunking.feedAll(reader, b("one\ntwo\n\nthree"));
        reader.feedEof();

        assertThat(done(reader.readLine())).isEqualTo("one\n");
        assertThat(done(reader.readLine())).isEqualTo("two\n");
        assertThat(done(reader.readLine())).isEqualTo("\n");
        assertThat(done(reader.readLine())).as("the partial last line").isEqualTo("three");
        assertThat(reader.atEof()).isTrue();
        assertThat(done(reader.readLine())).isEmpty();
        assertThat(done(reader.readLine())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void waitingReadLineCompletesAtTheNewline(Chunking chunking) {
        byte[] data = b("first line\nsecond");
        CompletableFuture<byte[]> read = reader.readLine();

        feedWatching(chunking, chunking.split(data), read, "first line\n".length());

        assertThat(s(read.join())).isEqualTo("first line\n");
        CompletableFuture<byte[]> second = reader.readLine();
        assertThat(second).as("no newline yet").isNotDone();
        reader.feedEof();
        assertThat(done(second)).isEqualTo("second");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void waitingReadLineGetsThePartialLastLineAtEof(Chunking chunking) {
        CompletableFuture<byte[]> read = reader.readLine();

        feedWatching(chunking, chunking.split(b("no newline")), read, NEVER);
        reader.feedEof();

        assertThat(done(read)).isEqualTo("no newline");
        assertThat(done(reader.readLine())).isEmpty();
    }

    @Test
    void waitingReadsAtEofWithNothingBufferedGetEmptyOrAnEmptyIncompleteRead() {
        List<FeedableStreamReader> readers = List.of(NettyStreams.newReader(16), NettyStreams.newReader(16),
                NettyStreams.newReader(16), NettyStreams.newReader(16), NettyStreams.newReader(16));
        CompletableFuture<byte[]> readN = readers.get(0).read(5);
        CompletableFuture<byte[]> readAll = readers.get(1).read(-1);
        CompletableFuture<byte[]> readLine = readers.get(2).readLine();
        CompletableFuture<byte[]> readExactly = readers.get(3).readExactly(3);
        CompletableFuture<byte[]> readUntil = readers.get(4).readUntil(b("\n"));
        readers.forEach(FeedableStreamReader::feedEof);

        assertThat(done(readN)).isEmpty();
        assertThat(done(readAll)).isEmpty();
        assertThat(done(readLine)).isEmpty();
        assertThat(failure(readExactly)).isInstanceOf(IncompleteReadException.class)
                .hasMessage("0 bytes read on a total of 3 expected bytes");
        assertThat(failure(readUntil)).isInstanceOf(IncompleteReadException.class)
                .hasMessage("0 bytes read on a total of undefined expected bytes");
    }

    @Test
    void thousandsOfOneBytePooledBuffersAreReadInOrder() {
        byte[] data = Bytes.letters(3000);
        data[2999] = '\n';
        FeedableStreamReader big = NettyStreams.newReader(4096);
        try {
            Chunking oneByte = Chunkings.oneBytePerBuffer(Chunkings.Carrier.POOLED_DIRECT);
            CompletableFuture<byte[]> waiting = big.readLine();
            oneByte.feedAll(big, data);
            assertThat(done(waiting)).isEqualTo(s(data));

            oneByte.feedAll(big, data);
            assertThat(done(big.readExactly(1500))).isEqualTo(s(data).substring(0, 1500));
            assertThat(done(big.readUntil(b("<never>"), b("\n")))).isEqualTo(s(data).substring(1500));
        } finally {
            big.feedEof();
        }
    }

    // ------------------------------------------------------------------------------------------- state

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void atEofOnlyOnceEofWasFedAndTheBufferIsEmpty(Chunking chunking) {
        assertThat(reader.atEof()).as("fresh").isFalse();
        chunking.feedAll(reader, b("abcdef"));
        assertThat(reader.atEof()).as("data, no EOF").isFalse();
        assertThat(done(reader.read(6))).isEqualTo("abcdef");
        assertThat(reader.atEof()).as("empty, but no EOF").isFalse();

        chunking.feedAll(reader, b("gh"));
        reader.feedEof();
        assertThat(reader.atEof()).as("EOF, but bytes left").isFalse();
        assertThat(done(reader.read(1))).isEqualTo("g");
        assertThat(reader.atEof()).as("EOF, one byte left").isFalse();
        assertThat(done(reader.read(1))).isEqualTo("h");
        assertThat(reader.atEof()).isTrue();
    }

    @Test
    void exceptionIsNullUntilSet() {
        assertThat(reader.exception()).isNull();
        reader.feedEof();
        assertThat(reader.exception()).as("EOF is not a failure").isNull();
    }

    @Test
    void limitIsTheDefaultOrTheGivenOne() {
        assertThat(NettyStreams.newReader().limit()).isEqualTo(65_536);
        assertThat(NettyStreams.newReader(10).limit()).isEqualTo(10);
        assertThat(reader.limit()).isEqualTo(1024);
    }

    @Test
    void feedEofIsIdempotent() {
        reader.feedData(b("x"));
        reader.feedEof();
        reader.feedEof();
        assertThat(done(reader.read(-1))).isEqualTo("x");
        assertThat(reader.atEof()).isTrue();
    }
}
