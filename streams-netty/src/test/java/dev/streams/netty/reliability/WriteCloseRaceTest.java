package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static dev.streams.netty.reliability.Rel.port;
import static dev.streams.netty.reliability.Rel.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.testing.BlockingSchedulers;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A write that returns normally is never lost to a {@code close()} racing with it from another thread: a server
 * thread writes small blocks as fast as it can while the test thread closes the writer at a moment of its choosing;
 * the client receives exactly the bytes of the writes that did not throw.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(DirectMemoryCheck.class)
class WriteCloseRaceTest {

    private static final int ROUNDS = (int) Rel.scaled(300, 3_000);

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.AVAILABLE)
    void aWriteThatReturnedIsNotLostToAConcurrentClose(BlockingScheduler scheduler) throws Exception {
        Transport transport = Transport.preferred();
        AtomicReference<CompletableFuture<StreamWriter>> writers = new AtomicReference<>();
        AtomicReference<CompletableFuture<Long>> accepted = new AtomicReference<>();
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            CompletableFuture<Long> total = accepted.get();
            writers.get().complete(writer);
            byte[] block = new byte[100];
            long written = 0;
            try {
                while (true) {
                    writer.write(block);
                    written += block.length;
                    if (written % 10_000 == 0) {
                        await(writer.drain());
                    }
                }
            } catch (IllegalStateException | java.io.IOException closed) {
                total.complete(written); // write() refused, or drain() saw the connection end
            }
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport))
                .blockingScheduler(scheduler).build()));
        ConnectOptions options = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build();
        long lost = 0;
        long total = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                writers.set(new CompletableFuture<>());
                accepted.set(new CompletableFuture<>());
                try (StreamConnection client = await(NettyStreams.openConnection(HOST, port(server), options))) {
                    StreamWriter writer = within(writers.get());
                    for (int spin = round % 50 * 100; spin > 0; spin--) {
                        Thread.onSpinWait();
                    }
                    writer.close();
                    long received = within(client.reader().read(-1)).length;
                    long sent = within(accepted.get());
                    total += sent;
                    lost += sent - received;
                }
            }
        } finally {
            server.close();
            within(server.waitClosed());
        }
        figure("write-close-race", "%d rounds of close() racing a writing thread: %d bytes accepted by write(),"
                + " %d lost", ROUNDS, total, lost);
        assertThat(lost).as("bytes accepted by write() but never sent").isZero();
    }
}
