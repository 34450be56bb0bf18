package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static dev.streams.netty.reliability.Rel.hex;
import static dev.streams.netty.reliability.Rel.mib;
import static dev.streams.netty.reliability.Rel.port;
import static dev.streams.netty.reliability.Rel.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.internal.ByteBufStreamReader;
import dev.streams.netty.internal.Internals;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A peer writes lines (32 MiB in CI, 320 MiB under soak) to an echo server that uses {@code drain()}, and reads
 * nothing until the server has stalled: the server's outbound queue stays near the high water mark, its reader stops
 * reading (autoRead off above {@code 2 × limit}), and the peer's writes block in its kernel. Then the peer reads, and
 * every byte comes back in order (SHA-256).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@ExtendWith(DirectMemoryCheck.class)
class SlowReaderTest {

    private static final int LIMIT = 64 * 1024;
    private static final int LOW = 16 * 1024;
    private static final int HIGH = 64 * 1024;
    private static final int MAX_LINE = 8 * 1024;
    /** Netty counts each queued message as its bytes plus this overhead ({@code outboundBufferEntrySizeOverhead}). */
    private static final int ENTRY_OVERHEAD = 96;
    private static final long TOTAL = Rel.scaled(32L << 20, 320L << 20);

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    /** The echo's state; touched on its event loop only, read by the test after the stall and at the end. */
    static final class Echo {
        final StreamReader reader;
        final StreamWriter writer;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final CompletableFuture<String> stalled = new CompletableFuture<>();
        final AtomicLong maxPending = new AtomicLong();
        final AtomicLong maxHeld = new AtomicLong();
        final AtomicLong maxRead = new AtomicLong();
        final AtomicLong drainWaits = new AtomicLong();
        volatile boolean draining;

        Echo(StreamReader reader, StreamWriter writer) {
            this.reader = reader;
            this.writer = writer;
            ByteBufStreamReader buffer = (ByteBufStreamReader) reader;
            Internals.probeInbound(writer, size -> {
                maxRead.accumulateAndGet(size, Math::max);
                maxHeld.accumulateAndGet(buffer.buffered() + size, Math::max);
            }, () -> {
                if (draining && !Internals.autoRead(writer) && !stalled.isDone()) {
                    stalled.complete("pending " + Internals.pendingWriteBytes(writer) + ", buffered "
                            + buffer.buffered());
                }
            });
        }

        /** Echoes lines until EOF; trampolined, since reads and drains often complete at once. */
        void run() {
            CompletableFuture<byte[]> read;
            while ((read = reader.readLine()).isDone()) {
                CompletableFuture<Void> drain = answer(read);
                if (drain == null) {
                    return;
                }
                if (!drain.isDone() || drain.isCompletedExceptionally()) {
                    resumeAfter(drain);
                    return;
                }
            }
            CompletableFuture<byte[]> waiting = read;
            waiting.whenComplete((line, failure) -> {
                CompletableFuture<Void> drain = answer(waiting);
                if (drain != null) {
                    resumeAfter(drain);
                }
            });
        }

        private void resumeAfter(CompletableFuture<Void> drain) {
            draining = !drain.isDone();
            drain.whenComplete((v, failure) -> {
                draining = false;
                if (failure != null) {
                    done.completeExceptionally(failure);
                } else {
                    run();
                }
            });
        }

        /** Writes the line back and returns drain(), or null when the echo is over. */
        private CompletableFuture<Void> answer(CompletableFuture<byte[]> read) {
            byte[] line;
            try {
                line = read.join();
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                return null;
            }
            if (line.length == 0) {
                done.complete(null);
                return null;
            }
            writer.write(line);
            long pending = Internals.pendingWriteBytes(writer);
            maxPending.accumulateAndGet(pending, Math::max);
            CompletableFuture<Void> drain = writer.drain();
            if (!drain.isDone()) {
                drainWaits.incrementAndGet();
            }
            return drain;
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aPeerThatDoesNotReadStallsTheServerWithinItsBoundsAndLosesNothing(Transport transport) throws Exception {
        CompletableFuture<Echo> echoes = new CompletableFuture<>();
        ServerOptions options = ServerOptions.builder().limit(LIMIT).waterMarks(LOW, HIGH)
                .eventLoopGroup(TransportGroups.group(transport)).build();
        StreamServer server = await(NettyStreams.startServer((reader, writer) -> {
            Echo echo = new Echo(reader, writer);
            echoes.complete(echo);
            echo.run();
            return echo.done;
        }, HOST, 0, options));
        try (Socket peer = new Socket()) {
            peer.setReceiveBufferSize(64 * 1024); // a small window, so that the server's queue fills soon
            peer.connect(new InetSocketAddress(HOST, port(server)));
            MessageDigest sent = Rel.sha256();
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> writeLines(peer, sent, written));
            Echo echo = within(echoes);

            String atStall = within(echo.stalled);
            long writtenAtStall = written.get();
            assertThat(writtenAtStall).as("the peer's writes block while it does not read").isLessThan(TOTAL);

            // The peer reads now: everything comes back, in order.
            MessageDigest received = Rel.sha256();
            long count = readAll(peer, received);
            within(writing);
            // EOF only now that every echo is in: the half-close must not find the server's reader above its limit,
            // where Netty's epoll transport reads what the socket still holds regardless of autoRead (see
            // RELIABILITY.md, "Known limits").
            peer.shutdownOutput();
            within(echo.done);
            assertThat(peer.getInputStream().read()).as("EOF after the echo").isEqualTo(-1);

            assertThat(count).isEqualTo(TOTAL);
            assertThat(hex(received.digest())).as("SHA-256 of the echo").isEqualTo(hex(sent.digest()));
            assertThat(echo.drainWaits.get()).as("drain() had to wait").isPositive();
            assertThat(echo.maxPending.get()).as("the server's outbound queue")
                    .isLessThanOrEqualTo(HIGH + MAX_LINE + ENTRY_OVERHEAD);
            assertThat(echo.maxHeld.get()).as("bytes held by the server's reader")
                    .isLessThanOrEqualTo(2L * LIMIT + echo.maxRead.get());
            figure("slow-reader-" + transport.name().toLowerCase(), "%s of lines <= %d bytes; at the stall %s,"
                    + " autoRead off, peer blocked after writing %s; max outbound queue %d bytes (bound: high water %d"
                    + " + one line + 96); max held by the reader %d bytes (2 x limit + one read = %d); %d drain waits;"
                    + " SHA-256 equal", mib(TOTAL), MAX_LINE, atStall, mib(writtenAtStall), echo.maxPending.get(),
                    HIGH, echo.maxHeld.get(), 2L * LIMIT + echo.maxRead.get(), echo.drainWaits.get());
        } finally {
            server.close();
            within(server.waitClosed());
        }
    }

    /** Random lines of 1 to MAX_LINE bytes (newline included), TOTAL bytes in all. */
    private static void writeLines(Socket peer, MessageDigest digest, AtomicLong written) {
        Random random = new Random(42);
        byte[] line = new byte[MAX_LINE];
        try {
            OutputStream out = peer.getOutputStream();
            long left = TOTAL;
            while (left > 0) {
                int length = (int) Math.min(left, 1 + random.nextInt(MAX_LINE));
                for (int i = 0; i < length - 1; i++) {
                    line[i] = (byte) ('!' + random.nextInt(90));
                }
                line[length - 1] = '\n';
                out.write(line, 0, length);
                digest.update(line, 0, length);
                left -= length;
                written.addAndGet(length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long readAll(Socket peer, MessageDigest digest) throws IOException {
        InputStream in = peer.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long count = 0;
        for (int n; count < TOTAL && (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
            count += n;
        }
        return count;
    }
}
