package dev.streams.netty.reader;

import static dev.streams.netty.reader.Bytes.b;
import static dev.streams.netty.reader.Bytes.failure;
import static dev.streams.netty.reader.Bytes.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.LimitOverrunException;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code forEachLine}, asyncio's {@code async for line in reader}: every line in order up to EOF, the action's stage
 * waited for before the next line is read, the stream's failure as the loop's, and no stack for buffered lines.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForEachLineTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.streams.netty.reader.Chunkings#all")
    void handsOnEveryLineInOrderWithThePartialLastLineAndCompletesAtEof(Chunkings.Chunking chunking) {
        FeedableStreamReader reader = NettyStreams.newReader(64);
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> loop = reader.forEachLine(line -> {
            lines.add(s(line));
            return null;
        });
        chunking.feedAll(reader, b("one\ntwo\n\nthree\nlast"));
        assertThat(loop).isNotDone();
        reader.feedEof();

        assertThat(loop).isCompleted();
        assertThat(lines).containsExactly("one\n", "two\n", "\n", "three\n", "last");
    }

    @Test
    void tenMillionBufferedLinesTakeNoStack() {
        int count = 10_000_000;
        byte[] all = new byte[2 * count];
        for (int i = 0; i < all.length; i += 2) {
            all[i] = 'x';
            all[i + 1] = '\n';
        }
        FeedableStreamReader reader = NettyStreams.newReader(64);
        reader.feedData(all);
        reader.feedEof();
        AtomicLong seen = new AtomicLong();

        CompletableFuture<Void> loop = reader.forEachLine(line -> {
            seen.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });

        assertThat(loop).isCompleted();
        assertThat(seen).hasValue(count);
    }

    @Test
    void theNextLineIsReadOnlyOnceTheActionsStageCompletes() {
        FeedableStreamReader reader = NettyStreams.newReader(64);
        List<CompletableFuture<Void>> stages = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> loop = reader.forEachLine(line -> {
            lines.add(s(line));
            CompletableFuture<Void> stage = new CompletableFuture<>();
            stages.add(stage);
            return stage;
        });
        reader.feedData(b("a\nb\nc\n"));

        assertThat(lines).containsExactly("a\n");
        assertThat(stages.get(0).complete(null)).isTrue();
        assertThat(lines).containsExactly("a\n", "b\n");
        assertThat(reader.readLine().join()).as("c was left in the buffer").isEqualTo(b("c\n"));
        stages.get(1).complete(null);
        assertThat(loop).as("waits for the next line").isNotDone();
        reader.feedEof();
        assertThat(loop).isCompleted();
    }

    @Test
    void theStreamsFailureEndsTheLoopAfterTheBufferedLines() {
        FeedableStreamReader reader = NettyStreams.newReader(64);
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> loop = reader.forEachLine(line -> {
            lines.add(s(line));
            return null;
        });
        IOException reset = new IOException("reset");
        reader.feedData(b("kept\npartial"));
        reader.setException(reset);

        assertThat(failure(loop)).isSameAs(reset);
        assertThat(lines).containsExactly("kept\n");
    }

    @Test
    void aLineOverTheLimitFailsTheLoopWithLimitOverrun() {
        FeedableStreamReader reader = NettyStreams.newReader(4);
        CompletableFuture<Void> loop = reader.forEachLine(line -> null);
        reader.feedData(b("0123456789\n"));

        assertThat(failure(loop)).isInstanceOf(LimitOverrunException.class);
    }

    @Test
    void whatTheActionThrowsOrItsStageFailsWithFailsTheLoop() {
        FeedableStreamReader reader = NettyStreams.newReader(64);
        IllegalStateException thrown = new IllegalStateException("bad line");
        CompletableFuture<Void> throwing = reader.forEachLine(line -> {
            throw thrown;
        });
        reader.feedData(b("x\ny\nz\n"));
        assertThat(failure(throwing)).isSameAs(thrown);

        IOException failed = new IOException("write failed");
        CompletableFuture<Void> failing = reader.forEachLine(line -> CompletableFuture.failedFuture(failed));
        assertThat(failure(failing)).isSameAs(failed);
        assertThat(s(reader.readLine().join())).as("nothing read after the failure").isEqualTo("z\n");
        reader.feedEof();
    }

    @Test
    void cancellingTheLoopCancelsTheWaitingReadAndLosesNoByte() {
        FeedableStreamReader reader = NettyStreams.newReader(64);
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> loop = reader.forEachLine(line -> {
            lines.add(s(line));
            return null;
        });
        reader.feedData(b("first\nsecond, not yet ended"));
        assertThat(lines).containsExactly("first\n");

        assertThat(loop.cancel(false)).isTrue();

        CompletableFuture<byte[]> next = reader.readLine();
        assertThat(next).as("the loop's read gave its slot back").isNotDone();
        reader.feedData(b("\n"));
        assertThat(s(next.join())).isEqualTo("second, not yet ended\n");
        assertThat(lines).containsExactly("first\n");
        reader.feedEof();
    }

    @Test
    void aNullActionIsRefused() {
        FeedableStreamReader reader = NettyStreams.newReader(64);
        assertThatThrownBy(() -> reader.forEachLine(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("action");
    }
}
