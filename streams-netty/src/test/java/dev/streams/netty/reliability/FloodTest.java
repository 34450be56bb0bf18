package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static dev.streams.netty.reliability.Rel.mib;
import static dev.streams.netty.reliability.Rel.port;
import static dev.streams.netty.reliability.Rel.within;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.LimitOverrunException;
import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.internal.ByteBufStreamReader;
import dev.streams.netty.internal.Internals;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A peer floods a {@code readLine} server with bytes and no newline (16 MiB in CI, 100 MiB under soak). The reader's
 * buffer stays bounded by {@code 2 × limit} plus one socket read, every overrun fails the {@code readLine} with
 * {@link LimitOverrunException}, and nothing hangs. Two server policies: go on reading (by design the oversized line is
 * discarded and the next {@code readLine} starts clean), or give up and close at the first overrun.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@ExtendWith(DirectMemoryCheck.class)
class FloodTest {

    private static final int LIMIT = 64 * 1024;
    private static final long FLOOD = Rel.scaled(16L << 20, 100L << 20);

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    /** What the server saw, written on its event loop and read by the test after the connection ended. */
    static final class Seen {
        final AtomicLong received = new AtomicLong();
        final AtomicLong maxHeld = new AtomicLong();
        final AtomicLong maxRead = new AtomicLong();
        final AtomicLong overruns = new AtomicLong();
        volatile LimitOverrunException first;
        final CompletableFuture<Long> lastLine = new CompletableFuture<>();

        /** Samples the reader around each feed: what it holds once fed, before an overrun discards it. */
        void probe(StreamReader reader, StreamWriter writer) {
            ByteBufStreamReader buffer = (ByteBufStreamReader) reader;
            Internals.probeInbound(writer, size -> {
                received.addAndGet(size);
                maxRead.accumulateAndGet(size, Math::max);
                maxHeld.accumulateAndGet(buffer.buffered() + size, Math::max);
            }, () -> maxHeld.accumulateAndGet(buffer.buffered(), Math::max));
        }
    }

    private static StreamServer server(Transport transport, Seen seen, boolean goOn) throws IOException {
        ServerOptions options = ServerOptions.builder().limit(LIMIT)
                .eventLoopGroup(TransportGroups.group(transport)).build();
        return await(NettyStreams.startServer((reader, writer) -> {
            seen.probe(reader, writer);
            CompletableFuture<Void> done = new CompletableFuture<>();
            readLines(reader, writer, seen, goOn, done);
            return done;
        }, HOST, 0, options));
    }

    /** readLine until EOF; an overrun is counted, then the loop goes on ({@code goOn}) or the handler ends. */
    private static void readLines(StreamReader reader, StreamWriter writer, Seen seen, boolean goOn,
                                  CompletableFuture<Void> done) {
        reader.readLine().whenComplete((line, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (!(cause instanceof LimitOverrunException)) {
                    done.completeExceptionally(cause);
                    return;
                }
                if (seen.first == null) {
                    seen.first = (LimitOverrunException) cause;
                }
                seen.overruns.incrementAndGet();
                if (goOn) {
                    readLines(reader, writer, seen, true, done);
                } else {
                    done.complete(null); // the handler gives up: the connection is closed
                }
                return;
            }
            if (line.length == 0 || line[line.length - 1] != '\n') {
                seen.lastLine.complete((long) line.length); // EOF: the partial last line, then the summary
                writer.write(("overruns " + seen.overruns.get() + "\n").getBytes(US_ASCII));
                done.complete(null);
                return;
            }
            readLines(reader, writer, seen, goOn, done);
        });
    }

    /** Writes {@code FLOOD} bytes of 'x' in 64 KiB blocks; returns how many were written before a failure. */
    private static long flood(Socket socket) {
        byte[] block = new byte[64 * 1024];
        Arrays.fill(block, (byte) 'x');
        long written = 0;
        try {
            OutputStream out = socket.getOutputStream();
            while (written < FLOOD) {
                int n = (int) Math.min(block.length, FLOOD - written);
                out.write(block, 0, n);
                written += n;
            }
            socket.shutdownOutput();
        } catch (IOException cutOff) {
            // the server closed on us
        }
        return written;
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aServerThatGoesOnReadingDiscardsEachOversizedLineAndStaysBounded(Transport transport) throws Exception {
        Seen seen = new Seen();
        StreamServer server = server(transport, seen, true);
        try (Socket peer = new Socket(HOST, port(server))) {
            CompletableFuture<Long> written = CompletableFuture.supplyAsync(() -> flood(peer));
            assertThat(within(written)).as("the whole flood was accepted").isEqualTo(FLOOD);
            String summary = new BufferedReader(new InputStreamReader(peer.getInputStream(), US_ASCII)).readLine();
            long lastLine = within(seen.lastLine);

            assertThat(seen.received.get()).as("bytes the server read").isEqualTo(FLOOD);
            assertThat(seen.maxHeld.get()).as("bytes held by the reader")
                    .isLessThanOrEqualTo(2L * LIMIT + seen.maxRead.get());
            assertThat(seen.first.consumed()).as("consumed() of the first overrun").isGreaterThan(LIMIT);
            assertThat(seen.first).hasMessage("Separator is not found, and chunk exceed the limit");
            // Each overrun discards what is held: more than the limit, at most the limit plus one read.
            long overruns = seen.overruns.get();
            assertThat(overruns).isBetween((FLOOD - lastLine) / (LIMIT + seen.maxRead.get()),
                    FLOOD / (LIMIT + 1));
            assertThat(lastLine).as("the partial last line at EOF").isLessThanOrEqualTo(LIMIT);
            assertThat(summary).isEqualTo("overruns " + overruns);
            figure("flood-" + transport.name().toLowerCase(), "%s without newline, limit %d: max held %d bytes"
                    + " (bound 2 x limit + one read = %d, largest read %d), %d overruns, last partial line %d bytes",
                    mib(FLOOD), LIMIT, seen.maxHeld.get(), 2L * LIMIT + seen.maxRead.get(), seen.maxRead.get(),
                    overruns, lastLine);
        } finally {
            server.close();
            within(server.waitClosed());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aServerThatClosesAtTheFirstOverrunCutsTheFloodOff(Transport transport) throws Exception {
        Seen seen = new Seen();
        StreamServer server = server(transport, seen, false);
        long sent;
        int end;
        try (Socket peer = new Socket(HOST, port(server))) {
            sent = within(CompletableFuture.supplyAsync(() -> flood(peer)));
            try {
                end = peer.getInputStream().read();
            } catch (IOException reset) {
                end = -1; // the server closed with unread bytes: a reset
            }
        } finally {
            server.close();
        }
        within(server.waitClosed());
        assertThat(end).as("the peer sees the connection end").isEqualTo(-1);
        assertThat(sent).as("the flood was cut off").isLessThan(FLOOD);
        assertThat(seen.overruns).hasValue(1);
        assertThat(seen.first.consumed()).isGreaterThan(LIMIT);
        assertThat(seen.maxHeld.get()).isLessThanOrEqualTo(2L * LIMIT + seen.maxRead.get());
        figure("flood-close-" + transport.name().toLowerCase(), "server closed at the first overrun (consumed %d):"
                + " peer cut off after %s of %s, max held %d bytes", seen.first.consumed(), mib(sent), mib(FLOOD),
                seen.maxHeld.get());
    }
}
