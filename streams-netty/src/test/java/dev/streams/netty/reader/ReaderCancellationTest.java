package dev.streams.netty.reader;

import static dev.streams.netty.reader.Bytes.b;
import static dev.streams.netty.reader.Bytes.done;
import static dev.streams.netty.reader.Bytes.failure;
import static dev.streams.netty.reader.Bytes.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.IncompleteReadException;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cancellation and timeouts lose nothing: when a waiting read's future is completed from outside ({@code cancel},
 * {@code orTimeout}, {@code completeOnTimeout}, {@code completeExceptionally}, {@code complete}) the waiting slot is
 * free at once (the next read does not see "already waiting") and every byte fed before and after stays for the next
 * read, for every kind of read including {@code read(-1)}. A concurrent test cancels reads at random moments while
 * another thread feeds, and checks that every byte arrives exactly once, in order.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReaderCancellationTest {

    private final FeedableStreamReader reader = NettyStreams.newReader(1024);

    @AfterEach
    void endTheStream() {
        reader.feedEof();
    }

    /** A kind of read, the bytes that leave it waiting, the bytes that answer it, and what a read again gets. */
    record ReadKind(String name, Function<FeedableStreamReader, CompletableFuture<byte[]>> read, String before,
            String after, String expected, String rest) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A way to complete a waiting read from outside, and what its future then holds. */
    enum OutsideCompletion {
        CANCEL_INTERRUPTING {
            @Override
            void apply(CompletableFuture<byte[]> read) {
                assertThat(read.cancel(true)).isTrue();
                assertThat(read).isCancelled();
            }
        },
        CANCEL {
            @Override
            void apply(CompletableFuture<byte[]> read) {
                assertThat(read.cancel(false)).isTrue();
                assertThat(failure(read)).isInstanceOf(CancellationException.class);
            }
        },
        OR_TIMEOUT {
            @Override
            void apply(CompletableFuture<byte[]> read) {
                read.orTimeout(10, TimeUnit.MILLISECONDS);
                // Completed on the JDK's timer thread; join waits for it (no sleep).
                assertThatThrownBy(read::join).hasCauseInstanceOf(TimeoutException.class);
            }
        },
        COMPLETE_ON_TIMEOUT {
            @Override
            void apply(CompletableFuture<byte[]> read) {
                read.completeOnTimeout(b("default"), 10, TimeUnit.MILLISECONDS);
                assertThat(s(read.join())).isEqualTo("default");
            }
        },
        COMPLETE_EXCEPTIONALLY {
            @Override
            void apply(CompletableFuture<byte[]> read) {
                IOException givenUp = new IOException("given up");
                assertThat(read.completeExceptionally(givenUp)).isTrue();
                assertThat(failure(read)).isSameAs(givenUp);
            }
        },
        COMPLETE {
            @Override
            void apply(CompletableFuture<byte[]> read) {
                assertThat(read.complete(b("from outside"))).isTrue();
                assertThat(s(read.join())).isEqualTo("from outside");
            }
        };

        /** Completes the waiting {@code read} and checks what it holds. */
        abstract void apply(CompletableFuture<byte[]> read);
    }

    static Stream<ReadKind> kinds() {
        return Stream.of(
                new ReadKind("read(5)", r -> r.read(5), "", "xyz", "xyz", ""),
                new ReadKind("read(-1)", r -> r.read(-1), "abc", "def", "abcdef", ""),
                new ReadKind("readExactly(5)", r -> r.readExactly(5), "abc", "defgh", "abcde", "fgh"),
                new ReadKind("readUntil(\"||\")", r -> r.readUntil(b("||")), "ab|", "|cd", "ab||", "cd"),
                new ReadKind("readLine()", FeedableStreamReader::readLine, "ab", "c\nd", "abc\n", "d"));
    }

    static Stream<Arguments> kindsAndCompletions() {
        List<Arguments> all = new ArrayList<>();
        kinds().forEach(kind -> {
            for (OutsideCompletion completion : OutsideCompletion.values()) {
                for (boolean readAgainFirst : new boolean[] {false, true}) {
                    all.add(Arguments.of(kind, completion, readAgainFirst));
                }
            }
        });
        return all.stream();
    }

    @ParameterizedTest(name = "{0} completed by {1}, next read issued before the data: {2}")
    @MethodSource("kindsAndCompletions")
    void aWaitingReadCompletedFromOutsideFreesItsSlotAndLosesNoByte(ReadKind kind, OutsideCompletion completion,
            boolean readAgainFirst) {
        if (!kind.before().isEmpty()) {
            reader.feedData(PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(b(kind.before())));
        }
        CompletableFuture<byte[]> waiting = kind.read().apply(reader);
        assertThat(waiting).as("waits for more than '%s'", kind.before()).isNotDone();

        completion.apply(waiting);

        CompletableFuture<byte[]> again;
        if (readAgainFirst) {
            again = kind.read().apply(reader);
            assertThat(again).as("the slot is free: the next read waits instead of failing").isNotDone();
            reader.feedData(b(kind.after()));
        } else {
            reader.feedData(b(kind.after()));
            again = kind.read().apply(reader);
        }
        reader.feedEof(); // read(-1) needs it; for the others it changes nothing already answered
        assertThat(done(again)).isEqualTo(kind.expected());
        assertThat(done(reader.read(-1))).isEqualTo(kind.rest());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aReadCompletedFromOutsideIsNotAnsweredByLaterData(ReadKind kind) {
        reader.feedData(b(kind.before()));
        CompletableFuture<byte[]> waiting = kind.read().apply(reader);
        assertThat(waiting.cancel(true)).isTrue();

        reader.feedData(b(kind.after()));
        reader.feedEof();

        assertThat(waiting).isCancelled();
        assertThat(done(reader.read(-1))).isEqualTo(kind.before() + kind.after());
    }

    @Test
    void cancellingAReadTheBufferAnsweredDoesNothing() {
        reader.feedData(b("abc"));
        CompletableFuture<byte[]> answered = reader.read(2);

        assertThat(answered.cancel(true)).isFalse();

        assertThat(done(answered)).isEqualTo("ab");
        assertThat(done(reader.read(10))).isEqualTo("c");
    }

    @Test
    void cancellingARefusedSecondReadLeavesTheWaitingOneAlone() {
        CompletableFuture<byte[]> waiting = reader.readLine();
        CompletableFuture<byte[]> refused = reader.readLine();
        assertThat(failure(refused)).isInstanceOf(IllegalStateException.class);

        refused.cancel(true);
        reader.feedData(b("line\n"));

        assertThat(done(waiting)).isEqualTo("line\n");
    }

    @Test
    void completeAsyncFromOutsideFreesTheSlotToo() {
        reader.feedData(b("ab"));
        CompletableFuture<byte[]> waiting = reader.readExactly(4);

        waiting.completeAsync(() -> b("async"));

        assertThat(s(waiting.join())).isEqualTo("async");
        CompletableFuture<byte[]> again = reader.readExactly(4);
        assertThat(again).as("not refused").isNotDone();
        reader.feedData(b("cd"));
        assertThat(done(again)).isEqualTo("abcd");
    }

    @Test
    void obtrudeExceptionFreesTheSlotToo() {
        CompletableFuture<byte[]> waiting = reader.read(4);

        waiting.obtrudeException(new IOException("obtruded"));

        CompletableFuture<byte[]> again = reader.read(4);
        assertThat(again).as("not refused").isNotDone();
        reader.feedData(b("data"));
        assertThat(done(again)).isEqualTo("data");
    }

    @Test
    void aDependentStageCancelledDoesNotTouchTheRead() {
        CompletableFuture<byte[]> waiting = reader.readLine();
        CompletableFuture<String> dependent = waiting.thenApply(Bytes::s);

        dependent.cancel(true);
        reader.feedData(b("still mine\n"));

        assertThat(done(waiting)).isEqualTo("still mine\n");
    }

    /**
     * One thread feeds random bytes in random chunks (half of them pooled direct buffers) while this thread issues
     * reads of every kind and cancels or times out some at random moments; whatever the race, the bytes received
     * are exactly the bytes fed, once each and in order.
     */
    @Test
    void cancellingReadsAtRandomMomentsWhileDataArrivesLosesNoByte() throws Exception {
        long seed = 20261125L;
        Random dataRandom = new Random(seed);
        byte[] data = new byte[96 * 1024];
        dataRandom.nextBytes(data);
        for (int i = 0; i < data.length; i += 200) {
            data[i] = '\n'; // keep every line far below the limit
        }
        FeedableStreamReader shared = NettyStreams.newReader(64 * 1024);
        CompletableFuture<Void> feeder = Feeder.start(shared, data, seed + 1, 64, true);

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Random random = new Random(seed + 2);
        int reads = 0;
        int cancelled = 0;
        try {
            while (!shared.atEof()) {
                reads++;
                CompletableFuture<byte[]> read;
                switch (random.nextInt(3)) {
                    case 0:
                        read = shared.read(1 + random.nextInt(64));
                        break;
                    case 1:
                        read = shared.readExactly(1 + random.nextInt(32));
                        break;
                    default:
                        read = shared.readLine();
                        break;
                }
                int action = random.nextInt(4);
                if (action == 0) {
                    for (int spin = random.nextInt(200); spin > 0; spin--) {
                        Thread.onSpinWait();
                    }
                    if (read.cancel(true)) {
                        cancelled++;
                        continue;
                    }
                } else if (action == 1) {
                    read.orTimeout(random.nextInt(50), TimeUnit.MICROSECONDS);
                }
                try {
                    received.write(read.get(10, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TimeoutException) {
                        cancelled++;
                    } else if (e.getCause() instanceof IncompleteReadException) {
                        received.write(((IncompleteReadException) e.getCause()).partial());
                    } else {
                        throw e;
                    }
                }
            }
            feeder.get(10, TimeUnit.SECONDS);
        } finally {
            feeder.exceptionally(t -> null).get(10, TimeUnit.SECONDS); // the feeder is done before the checks
            shared.feedEof();
        }

        byte[] got = received.toByteArray();
        assertThat(got.length).as("bytes received (seed %d, %d reads, %d cancelled)", seed, reads, cancelled)
                .isEqualTo(data.length);
        assertThat(crc(got)).as("checksum (seed %d)", seed).isEqualTo(crc(data));
        assertThat(java.util.Arrays.mismatch(got, data)).as("first differing index").isEqualTo(-1);
        assertThat(cancelled).as("some reads were cancelled or timed out").isPositive();
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
