package dev.streams.netty.reliability;

import static dev.streams.netty.reliability.Rel.figure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.reliability.ReferenceReader.Kind;
import dev.streams.netty.reliability.ReferenceReader.Op;
import dev.streams.netty.reliability.ReferenceReader.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded fuzz: random byte streams (a small alphabet, so that separators occur), cut at random points, read by a
 * random sequence of {@code read}, {@code readLine}, {@code readExactly} and {@code readUntil} calls with small random
 * limits, ending in EOF or an error. The standalone reader is driven in lockstep with {@link ReferenceReader}: after
 * every call and every chunk fed, the reader's future must be done exactly when the model can answer, with the same
 * answer. Reads issued while another waits, and waiting reads cancelled, are in the mix. The seed is printed (and is
 * in every failure message); {@code -Ddev.streams.fuzz.seed=N} replays a run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChunkingFuzzTest {

    private static final int STREAMS = (int) Rel.scaled(10_000, 100_000);
    private static final byte[] ALPHABET = {'a', 'b', 'x', '\r', '\n'};
    private static final byte[][][] SEPARATORS = {
        {{'\n'}}, {{'\r', '\n'}}, {{'a', 'b'}}, {{'\n'}, {'\r', '\n'}}, {{'b'}, {'a', 'b'}}, {{'a', 'b', 'a'}},
        {{'x', 'x', 'x'}, {'b'}},
    };

    /** Counts of what the fuzz exercised, for the figure. */
    private long ops;
    private long waits;
    private long secondReads;
    private long cancels;
    private long overruns;
    private long incompletes;

    @Test
    void theReaderAnswersLikeTheReferenceModelWhateverTheChunking() {
        long seed = Long.getLong("dev.streams.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        long bytes = 0;
        for (int stream = 0; stream < STREAMS; stream++) {
            long streamSeed = random.nextLong();
            try {
                bytes += run(new Random(streamSeed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("fuzz failed: seed " + seed + ", stream " + stream + " (stream seed "
                        + streamSeed + "): " + e.getMessage(), e);
            }
        }
        figure("fuzz", "seed %d: %d streams (%d bytes), %d reads, %d waiting steps, %d reads while one waited,"
                + " %d cancelled, %d limit overruns, %d incomplete reads: all equal to the model",
                seed, STREAMS, bytes, ops, waits, secondReads, cancels, overruns, incompletes);
        assertThat(ops).isGreaterThan(STREAMS);
        assertThat(waits).isPositive();
        assertThat(overruns).isPositive();
    }

    /** One stream; returns its length. */
    private long run(Random random) {
        int limit = 1 + random.nextInt(12);
        byte[] data = new byte[random.nextInt(160)];
        for (int i = 0; i < data.length; i++) {
            data[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        List<byte[]> chunks = split(data, random);
        boolean failAtEnd = random.nextInt(8) == 0;
        IOException failure = new IOException("injected failure");

        FeedableStreamReader reader = NettyStreams.newReader(limit);
        ReferenceReader model = new ReferenceReader(limit);
        StringBuilder trace = new StringBuilder("limit ").append(limit).append(", chunks");
        for (byte[] chunk : chunks) {
            trace.append(" \"").append(Outcome.text(chunk)).append('"');
        }
        trace.append(failAtEnd ? ", then failure" : ", then EOF").append("; calls:");

        int next = 0;
        boolean ended = false;
        int afterEnd = 0;
        for (int step = 0; step < 1000 && afterEnd < 3; step++) {
            if (ended && model.drained()) {
                afterEnd++;
            }
            if (!ended && random.nextInt(3) == 0) { // bytes may arrive while no read waits
                if (next < chunks.size()) {
                    reader.feedData(chunks.get(next));
                    model.feed(chunks.get(next++));
                    trace.append(" [fed]");
                    continue;
                }
            }
            Op op = randomOp(random);
            trace.append(' ').append(op);
            if (op.kind() == Kind.EXACTLY && op.n() < 0) {
                assertThatThrownBy(() -> reader.readExactly(op.n())).as(trace.toString())
                        .isInstanceOf(IllegalArgumentException.class);
                continue;
            }
            ops++;
            CompletableFuture<byte[]> future = issue(reader, op);
            Object expected = model.attempt(op);
            boolean cancelled = false;
            while (expected == null) {
                waits++;
                assertThat(future).as("%s: the model waits", trace).isNotDone();
                int choice = random.nextInt(10);
                if (choice == 0) { // a second read while this one waits
                    secondReads++;
                    Op second = randomOp(random);
                    if (second.kind() == Kind.EXACTLY && second.n() < 0) {
                        continue;
                    }
                    trace.append(" {while waiting: ").append(second);
                    CompletableFuture<byte[]> other = issue(reader, second);
                    Object answer = model.attempt(second);
                    String want = answer == null ? IllegalStateException.class.getName()
                            + ": another read is already waiting on this stream" : Outcome.of(answer);
                    assertThat(outcome(other)).as(trace.toString()).isEqualTo(want);
                    trace.append(" -> ").append(want).append('}');
                    expected = model.attempt(op);
                    continue;
                }
                if (choice == 1) { // cancelled: no byte lost, the slot is free
                    cancels++;
                    trace.append(" cancelled");
                    assertThat(future.cancel(true)).as(trace.toString()).isTrue();
                    cancelled = true;
                    break;
                }
                if (next < chunks.size()) {
                    reader.feedData(chunks.get(next));
                    model.feed(chunks.get(next++));
                    trace.append(" [fed]");
                } else {
                    ended = true;
                    end(reader, model, failAtEnd, failure);
                    trace.append(" [end]");
                }
                expected = model.attempt(op);
            }
            if (cancelled) {
                continue;
            }
            String want = Outcome.of(expected);
            trace.append(" -> ").append(want);
            assertThat(future).as("%s: the model answers", trace).isDone();
            assertThat(outcome(future)).as(trace.toString()).isEqualTo(want);
            if (want.startsWith("LimitOverrunException")) {
                overruns++;
            } else if (want.startsWith("IncompleteReadException")) {
                incompletes++;
            }
            if (!ended && next == chunks.size() && random.nextInt(4) == 0) {
                ended = true;
                end(reader, model, failAtEnd, failure);
                trace.append(" [end]");
            }
        }
        if (!ended) {
            reader.feedEof(); // release what is left
        }
        return data.length;
    }

    private static void end(FeedableStreamReader reader, ReferenceReader model, boolean fail, IOException failure) {
        if (fail) {
            reader.setException(failure); // what the channel handler does on an error...
            model.fail(failure);
        }
        reader.feedEof(); // ...followed by the end of the channel
        model.feedEof();
    }

    /** Whole, byte by byte, or cut at random points. */
    private static List<byte[]> split(byte[] data, Random random) {
        List<byte[]> chunks = new ArrayList<>();
        int mode = random.nextInt(4);
        int at = 0;
        while (at < data.length) {
            int size = mode == 0 ? data.length : mode == 1 ? 1 : 1 + random.nextInt(Math.min(24, data.length - at));
            size = Math.min(size, data.length - at);
            byte[] chunk = new byte[size];
            System.arraycopy(data, at, chunk, 0, size);
            chunks.add(chunk);
            at += size;
        }
        return chunks;
    }

    private static Op randomOp(Random random) {
        switch (random.nextInt(6)) {
            case 0:
                return new Op(Kind.READ, random.nextInt(12) - 1, null); // -1 (all), 0, 1..10
            case 1:
            case 2:
                return new Op(Kind.LINE, 0, new byte[][] {{'\n'}});
            case 3:
                return new Op(Kind.EXACTLY, random.nextInt(20) == 0 ? -1 : random.nextInt(14), null);
            default:
                return new Op(Kind.UNTIL, 0, SEPARATORS[random.nextInt(SEPARATORS.length)]);
        }
    }

    private static CompletableFuture<byte[]> issue(FeedableStreamReader reader, Op op) {
        switch (op.kind()) {
            case READ:
                return reader.read(op.n());
            case EXACTLY:
                return reader.readExactly(op.n());
            case LINE:
                return reader.readLine();
            default:
                return reader.readUntil(op.separators());
        }
    }

    private static String outcome(CompletableFuture<byte[]> future) {
        assertThat(future).as("answered at once").isDone();
        try {
            return Outcome.of(future.join());
        } catch (CompletionException e) {
            return Outcome.of(e.getCause());
        } catch (CancellationException e) {
            return Outcome.of(e);
        }
    }
}
