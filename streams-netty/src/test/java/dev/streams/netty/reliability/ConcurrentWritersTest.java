package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static dev.streams.netty.reliability.Rel.port;
import static dev.streams.netty.reliability.Rel.within;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.testing.BlockingSchedulers;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Writes gathered into shared buffers keep every writer's order and lose nothing: on one connection, several threads
 * and the event loop itself write numbered records of mixed sizes (some larger than a gathering buffer) at once, with
 * an occasional {@code drain()}; the client reads every record and checks, per writer, that they came complete and in
 * order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(DirectMemoryCheck.class)
class ConcurrentWritersTest {

    private static final int THREADS = 4;
    private static final int RECORDS = (int) Rel.scaled(3_000, 30_000);
    /** Record sizes cycle through these: small ones gather, 2,500 is above the 2 KiB gathering buffer. */
    private static final int[] SIZES = {10, 100, 700, 2_500, 40};

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    /** {@code "<writer> <seq> <padding>\n"}, {@code size} bytes long. */
    private static byte[] record(int writer, int seq) {
        int size = SIZES[(writer + seq) % SIZES.length];
        StringBuilder line = new StringBuilder().append(writer).append(' ').append(seq).append(' ');
        while (line.length() < size - 1) {
            line.append((char) ('a' + (seq + line.length()) % 26));
        }
        return line.append('\n').toString().getBytes(US_ASCII);
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.WITH_TRANSPORTS)
    void everyWritersRecordsArriveCompleteAndInOrder(Transport transport, BlockingScheduler scheduler)
            throws Exception {
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            EventLoop loop = ((NettyStreamWriter) writer).channel().eventLoop();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                threads.add(new Thread(() -> writeAll(writer, id, start), "writer-" + t));
            }
            CompletableFuture<Void> fromTheLoop = new CompletableFuture<>();
            threads.forEach(Thread::start);
            start.countDown();
            loop.execute(() -> writeFromTheLoop(writer, loop, 0, fromTheLoop)); // writer THREADS: the event loop
            for (Thread thread : threads) {
                thread.join();
            }
            await(fromTheLoop);
            await(writer.drain());
            // Close only once the client has read everything: on epoll, a FIN that arrives while the client has
            // stopped reading (its buffer over the limit) can fail the connection (Netty 4.2.18; RELIABILITY.md,
            // "Known limits").
            await(reader.readLine());
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport))
                .blockingScheduler(scheduler).build()));
        ConnectOptions options = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build();
        Map<Integer, Integer> next = new HashMap<>();
        long bytes = 0;
        try (StreamConnection client = await(NettyStreams.openConnection(HOST, port(server), options))) {
            int expected = (THREADS + 1) * RECORDS;
            for (int i = 0; i < expected; i++) {
                byte[] line = within(client.reader().readLine());
                bytes += line.length;
                String[] fields = new String(line, US_ASCII).split(" ", 3);
                int writer = Integer.parseInt(fields[0]);
                int seq = Integer.parseInt(fields[1]);
                assertThat(seq).as("writer %d's next record", writer).isEqualTo(next.getOrDefault(writer, 0));
                assertThat(line).as("writer %d, record %d", writer, seq).isEqualTo(record(writer, seq));
                next.put(writer, seq + 1);
            }
            client.writer().write("done\n".getBytes(US_ASCII));
            assertThat(within(client.reader().read(-1))).as("nothing after the last record").isEmpty();
        } finally {
            server.close();
            within(server.waitClosed());
        }
        figure("concurrent-writers-" + transport.name().toLowerCase(java.util.Locale.ROOT),
                "%d writers (%d threads and the event loop) x %d records, %s: every record complete and in order",
                THREADS + 1, THREADS, RECORDS, Rel.mib(bytes));
    }

    private static void writeAll(StreamWriter writer, int id, CountDownLatch start) {
        try {
            start.await();
            for (int seq = 0; seq < RECORDS; seq++) {
                writer.write(record(id, seq));
                if (seq % 97 == 0) {
                    await(writer.drain());
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Writes on the event loop in slices of 50 records, one task each, so that the other writers interleave. */
    private static void writeFromTheLoop(StreamWriter writer, EventLoop loop, int from, CompletableFuture<Void> done) {
        int to = Math.min(from + 50, RECORDS);
        for (int seq = from; seq < to; seq++) {
            writer.write(record(THREADS, seq));
        }
        if (to == RECORDS) {
            done.complete(null);
        } else {
            loop.execute(() -> writeFromTheLoop(writer, loop, to, done));
        }
    }
}
