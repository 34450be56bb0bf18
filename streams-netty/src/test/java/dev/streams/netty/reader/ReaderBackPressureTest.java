package dev.streams.netty.reader;

import static dev.streams.netty.reader.Bytes.b;
import static dev.streams.netty.reader.Bytes.done;
import static dev.streams.netty.reader.Bytes.letters;
import static dev.streams.netty.reader.Bytes.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.netty.internal.ByteBufStreamReader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Read-side back-pressure, seen through the standalone reader's {@code isReading()} and {@code buffered()}: reading
 * turns off above {@code 2 × limit} buffered bytes, back on at {@code limit} or below (and stays as it was in
 * between), and is always on while a read waits, so that {@code readExactly(n)} with {@code n > 2 × limit} completes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReaderBackPressureTest {

    private static final int LIMIT = 10;

    private final ByteBufStreamReader reader = new ByteBufStreamReader(LIMIT);

    @AfterEach
    void endTheStream() {
        reader.feedEof();
    }

    @Test
    void readingTurnsOffAboveTwiceTheLimitAndBackOnAtTheLimit() {
        assertThat(reader.isReading()).as("fresh").isTrue();

        reader.feedData(letters(2 * LIMIT));
        assertThat(reader.buffered()).isEqualTo(20);
        assertThat(reader.isReading()).as("exactly 2 x limit: still reading").isTrue();

        reader.feedData(b("!"));
        assertThat(reader.buffered()).isEqualTo(21);
        assertThat(reader.isReading()).as("above 2 x limit: stop").isFalse();

        assertThat(done(reader.read(5))).hasSize(5);
        assertThat(reader.buffered()).isEqualTo(16);
        assertThat(reader.isReading()).as("between limit and 2 x limit: still off").isFalse();

        assertThat(done(reader.read(5))).hasSize(5);
        assertThat(reader.buffered()).isEqualTo(11);
        assertThat(reader.isReading()).as("limit + 1: still off").isFalse();

        assertThat(done(reader.read(1))).hasSize(1);
        assertThat(reader.buffered()).isEqualTo(LIMIT);
        assertThat(reader.isReading()).as("at the limit: read again").isTrue();

        reader.feedData(letters(LIMIT));
        assertThat(reader.buffered()).isEqualTo(20);
        assertThat(reader.isReading()).as("between, coming from below: stays on").isTrue();
    }

    @Test
    void aReadThatMustWaitTurnsReadingBackOn() {
        reader.feedData(letters(25));
        assertThat(reader.isReading()).isFalse();

        CompletableFuture<byte[]> read = reader.readExactly(40);

        assertThat(read).isNotDone();
        assertThat(reader.isReading()).as("a waiting read always reads").isTrue();
    }

    @Test
    void readExactlyOfMoreThanTwiceTheLimitCompletesWithoutDeadlock() {
        byte[] data = letters(56);
        CompletableFuture<byte[]> read = reader.readExactly(5 * LIMIT);
        int fed = 0;
        while (!read.isDone()) {
            assertThat(reader.isReading()).as("reading while the read waits, %d bytes buffered", fed).isTrue();
            reader.feedData(java.util.Arrays.copyOfRange(data, fed, fed + 7));
            fed += 7;
            assertThat(fed).as("fed more than the read needs and it did not complete").isLessThan(5 * LIMIT + 7);
        }

        assertThat(fed).isEqualTo(56);
        assertThat(s(read.join())).isEqualTo(s(data).substring(0, 50));
        assertThat(reader.buffered()).isEqualTo(6);
        assertThat(reader.isReading()).isTrue();
    }

    @Test
    void aReadLineOrReadUntilWaitingForItsSeparatorKeepsReadingUpToTheLimit() {
        CompletableFuture<byte[]> line = reader.readUntil(b("||"));
        reader.feedData(letters(LIMIT));
        assertThat(reader.isReading()).isTrue();

        reader.feedData(b("||"));

        assertThat(done(line)).isEqualTo(s(letters(LIMIT)) + "||");
    }

    @Test
    void cancellingAWaitingReadOverABigBufferTurnsReadingOffAgain() {
        reader.feedData(letters(25));
        CompletableFuture<byte[]> read = reader.readExactly(40);
        assertThat(reader.isReading()).isTrue();

        read.cancel(true);

        assertThat(reader.isReading()).as("no read waits and 25 > 2 x limit").isFalse();
        assertThat(reader.buffered()).as("nothing taken").isEqualTo(25);
    }

    @Test
    void aCompletedReadOverABigBufferLeavesReadingOff() {
        CompletableFuture<byte[]> read = reader.readExactly(5);
        reader.feedData(letters(30));

        assertThat(done(read)).hasSize(5);
        assertThat(reader.buffered()).isEqualTo(25);
        assertThat(reader.isReading()).as("25 left, no read waits").isFalse();
    }

    @Test
    void readLineDiscardingAnOversizedLineTurnsReadingBackOn() {
        reader.feedData(letters(30));
        assertThat(reader.isReading()).isFalse();

        assertThat(reader.readLine()).isCompletedExceptionally();

        assertThat(reader.buffered()).as("the whole buffer discarded").isZero();
        assertThat(reader.isReading()).isTrue();
    }

    @Test
    void readUntilOverrunLeavesTheBufferAndTheBackPressureAsTheyWere() {
        reader.feedData(letters(30));

        assertThat(reader.readUntil(b("||"))).isCompletedExceptionally();

        assertThat(reader.buffered()).isEqualTo(30);
        assertThat(reader.isReading()).isFalse();
    }
}
