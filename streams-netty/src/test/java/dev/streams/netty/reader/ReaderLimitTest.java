package dev.streams.netty.reader;

import static dev.streams.netty.reader.Bytes.b;
import static dev.streams.netty.reader.Bytes.done;
import static dev.streams.netty.reader.Bytes.failure;
import static dev.streams.netty.reader.Bytes.letters;
import static dev.streams.netty.reader.Bytes.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.LimitOverrunException;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * asyncio's limit rules for {@code readUntil} and {@code readLine}: only the bytes before the separator count (a line
 * of exactly {@code limit} bytes passes, {@code limit + 1} fails); {@code consumed()} is the separator's start index
 * when found and {@code buflen + 1 - maxSepLen} when not; {@code readUntil} leaves the buffer untouched while
 * {@code readLine} discards the oversized line; a tie between separators goes to the shorter one.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReaderLimitTest {

    private static final String FOUND = "Separator is found, but chunk is longer than limit";
    private static final String NOT_FOUND = "Separator is not found, and chunk exceed the limit";

    private final List<FeedableStreamReader> readers = new ArrayList<>();

    private FeedableStreamReader reader(int limit) {
        FeedableStreamReader reader = NettyStreams.newReader(limit);
        readers.add(reader);
        return reader;
    }

    @AfterEach
    void endTheStreams() {
        readers.forEach(FeedableStreamReader::feedEof);
    }

    private static LimitOverrunException overrun(CompletableFuture<byte[]> read) {
        Throwable failure = failure(read);
        assertThat(failure).isInstanceOf(LimitOverrunException.class);
        return (LimitOverrunException) failure;
    }

    // ------------------------------------------------------------------------------------------- readLine

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {1, 7, 64})
    void aLineOfExactlyLimitBytesPasses(int limit) {
        FeedableStreamReader reader = reader(limit);
        String line = s(letters(limit)) + "\n";
        reader.feedData(b(line + line));

        assertThat(done(reader.readLine())).isEqualTo(line);
        assertThat(done(reader.readUntil(b("\n")))).isEqualTo(line);
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {1, 7, 64})
    void aWaitingLineOfExactlyLimitBytesFedByteByBytePasses(int limit) {
        FeedableStreamReader reader = reader(limit);
        CompletableFuture<byte[]> read = reader.readLine();
        for (byte value : letters(limit)) {
            reader.feedData(new byte[] {value});
        }
        assertThat(read).as("limit bytes and no newline yet: still waiting, no overrun").isNotDone();

        reader.feedData(b("\n"));

        assertThat(done(read)).isEqualTo(s(letters(limit)) + "\n");
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {1, 7, 64})
    void readLineOverTheLimitWithItsNewlineFoundDiscardsUpToTheNewline(int limit) {
        FeedableStreamReader reader = reader(limit);
        reader.feedData(b(s(letters(limit + 1)) + "\nZ\n"));

        LimitOverrunException overrun = overrun(reader.readLine());

        assertThat(overrun).hasMessage(FOUND);
        assertThat(overrun.consumed()).as("the separator's start index").isEqualTo(limit + 1);
        assertThat(done(reader.readLine())).as("the next line starts clean").isEqualTo("Z\n");
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {1, 7, 64})
    void readLineOverTheLimitWithoutANewlineDiscardsTheWholeBuffer(int limit) {
        FeedableStreamReader reader = reader(limit);
        reader.feedData(letters(limit + 1));

        LimitOverrunException overrun = overrun(reader.readLine());

        assertThat(overrun).hasMessage(NOT_FOUND);
        assertThat(overrun.consumed()).as("buflen + 1 - 1").isEqualTo(limit + 1);
        reader.feedData(b("Z\n"));
        assertThat(done(reader.readLine())).as("the discarded bytes are gone").isEqualTo("Z\n");
    }

    @Test
    void aWaitingReadLineFailsAsSoonAsTheLineGoesOverTheLimit() {
        FeedableStreamReader reader = reader(5);
        CompletableFuture<byte[]> read = reader.readLine();
        reader.feedData(b("abcde"));
        assertThat(read).isNotDone();

        reader.feedData(b("f")); // the sixth byte: no newline can make this line fit any more

        LimitOverrunException overrun = overrun(read);
        assertThat(overrun).hasMessage(NOT_FOUND);
        assertThat(overrun.consumed()).isEqualTo(6);
        reader.feedData(b("gh\nok\n"));
        assertThat(done(reader.readLine())).as("the rest of the long line, as asyncio does").isEqualTo("gh\n");
        assertThat(done(reader.readLine())).isEqualTo("ok\n");
    }

    @Test
    void aWaitingReadLineOverTheLimitInOneChunkDiscardsThroughItsNewline() {
        FeedableStreamReader reader = reader(5);
        CompletableFuture<byte[]> read = reader.readLine();

        reader.feedData(b("abcdefgh\nok\n"));

        LimitOverrunException overrun = overrun(read);
        assertThat(overrun).hasMessage(FOUND);
        assertThat(overrun.consumed()).isEqualTo(8);
        assertThat(done(reader.readLine())).isEqualTo("ok\n");
    }

    // ------------------------------------------------------------------------------------------- readUntil

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {1, 7, 64})
    void readUntilOverTheLimitWithTheSeparatorFoundLeavesTheBufferUntouched(int limit) {
        FeedableStreamReader reader = reader(limit);
        String data = s(letters(limit + 1)) + "--rest";
        reader.feedData(b(data));

        LimitOverrunException overrun = overrun(reader.readUntil(b("--")));

        assertThat(overrun).hasMessage(FOUND);
        assertThat(overrun.consumed()).isEqualTo(limit + 1);
        assertThat(done(reader.read(1000))).as("every byte is still there").isEqualTo(data);
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {1, 7, 64})
    void readUntilOverTheLimitWithoutTheSeparatorLeavesTheBufferUntouched(int limit) {
        FeedableStreamReader reader = reader(limit);
        byte[] end = b("<END>");
        reader.feedData(letters(limit + 4));
        CompletableFuture<byte[]> waiting = reader.readUntil(end);
        assertThat(waiting).as("limit + 4 bytes: only limit can no longer start '<END>'").isNotDone();
        waiting.completeExceptionally(new Exception("given up")); // frees the waiting slot, keeps the bytes

        reader.feedData(b("z"));
        LimitOverrunException overrun = overrun(reader.readUntil(end));

        assertThat(overrun).hasMessage(NOT_FOUND);
        assertThat(overrun.consumed()).as("buflen + 1 - len('<END>')").isEqualTo(limit + 1);
        assertThat(done(reader.read(1000))).isEqualTo(s(letters(limit + 4)) + "z");
    }

    @Test
    void afterAFoundOverrunTheCallerCanSkipConsumedBytesAndReadTheSeparator() {
        FeedableStreamReader reader = reader(4);
        reader.feedData(b("abcdefgh--tail--"));

        LimitOverrunException overrun = overrun(reader.readUntil(b("--")));

        assertThat(done(reader.readExactly(overrun.consumed()))).isEqualTo("abcdefgh");
        assertThat(done(reader.readUntil(b("--")))).isEqualTo("--");
        assertThat(done(reader.readUntil(b("--")))).isEqualTo("tail--");
    }

    @Test
    void aChunkOfExactlyLimitBytesBeforeAMultiByteSeparatorPasses() {
        FeedableStreamReader reader = reader(8);
        reader.feedData(b("abcdefgh<END>abcdefghi<END>"));

        assertThat(done(reader.readUntil(b("<END>")))).isEqualTo("abcdefgh<END>");
        LimitOverrunException overrun = overrun(reader.readUntil(b("<END>")));
        assertThat(overrun).hasMessage(FOUND);
        assertThat(overrun.consumed()).isEqualTo(9);
        assertThat(done(reader.read(100))).isEqualTo("abcdefghi<END>");
    }

    @Test
    void aWaitingReadUntilFailsWithTheOverrunAndLeavesTheBytesToRead() {
        FeedableStreamReader reader = reader(3);
        CompletableFuture<byte[]> read = reader.readUntil(b("||"));
        reader.feedData(b("abcd"));
        assertThat(read).as("4 bytes: only 3 can no longer start '||'").isNotDone();

        reader.feedData(b("e"));

        LimitOverrunException overrun = overrun(read);
        assertThat(overrun).hasMessage(NOT_FOUND);
        assertThat(overrun.consumed()).isEqualTo(4);
        assertThat(done(reader.read(100))).isEqualTo("abcde");
    }

    @Test
    void notFoundUsesTheLongestSeparatorToCountTheBytesThatCanNoLongerStartOne() {
        FeedableStreamReader reader = reader(10);
        reader.feedData(letters(14));

        CompletableFuture<byte[]> read = reader.readUntil(b("\n"), b("<END>"));
        assertThat(read).as("14 + 1 - 5 = 10 is not over the limit").isNotDone();
        reader.feedData(b("z"));

        LimitOverrunException overrun = overrun(read);
        assertThat(overrun).hasMessage(NOT_FOUND);
        assertThat(overrun.consumed()).isEqualTo(15 + 1 - 5);
    }

    @Test
    void aTieGoesToTheShorterSeparatorWhoseLaterStartCountsAgainstTheLimit() {
        // "XY" starts at 4 and "Y" at 5; both end at 6. The shorter wins the tie, and its start (5) is over the limit.
        for (byte[][] separators : new byte[][][] {{b("XY"), b("Y")}, {b("Y"), b("XY")}}) {
            FeedableStreamReader reader = reader(4);
            reader.feedData(b("abcdXY"));

            LimitOverrunException overrun = overrun(reader.readUntil(separators));

            assertThat(overrun).hasMessage(FOUND);
            assertThat(overrun.consumed()).isEqualTo(5);
            assertThat(done(reader.read(100))).isEqualTo("abcdXY");
        }
    }

    @Test
    void theSeparatorThatEndsFirstDecidesTheLimitCheck() {
        // "abcdZZZZ" starts at 0 but ends at 8; "Q" starts at 6 (over the limit 5) and ends at 7: it wins, and fails.
        FeedableStreamReader reader = reader(5);
        reader.feedData(b("abcdefQZ"));
        LimitOverrunException overrun = overrun(reader.readUntil(b("abcdefQZ"), b("Q")));
        assertThat(overrun.consumed()).isEqualTo(6);

        // Same bytes, limit 6: "Q" at 6 is fine.
        FeedableStreamReader roomier = reader(6);
        roomier.feedData(b("abcdefQZ"));
        assertThat(done(roomier.readUntil(b("abcdefQZ"), b("Q")))).isEqualTo("abcdefQ");
    }
}
