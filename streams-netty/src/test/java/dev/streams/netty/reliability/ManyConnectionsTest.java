package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static dev.streams.netty.reliability.Rel.hex;
import static dev.streams.netty.reliability.Rel.mib;
import static dev.streams.netty.reliability.Rel.port;
import static dev.streams.netty.reliability.Rel.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many concurrent connections (1,000 in CI, 5,000 under soak), opened with the library's own client and driven by
 * futures (no thread per connection): each sends random messages of random length to an echo server, half-closes,
 * reads everything back and checks its SHA-256. Nothing is lost and no connection fails.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@ExtendWith(DirectMemoryCheck.class)
class ManyConnectionsTest {

    private static final int CONNECTIONS = (int) Rel.scaled(1_000, 5_000);
    private static final int MAX_MESSAGES = 8;
    private static final int MAX_MESSAGE = 16 * 1024;

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    /** The echo: read(64 KiB) and write it back, drain, until EOF. */
    static CompletionStage<Void> echo(StreamReader reader, StreamWriter writer) {
        return reader.read(64 * 1024).thenCompose(bytes -> {
            if (bytes.length == 0) {
                return CompletableFuture.completedFuture(null);
            }
            writer.write(bytes);
            return writer.drain().thenCompose(ignored -> echo(reader, writer));
        });
    }

    /** One client: its messages, then EOF, then everything back; completes with an error text or null. */
    private static CompletableFuture<String> client(int port, ConnectOptions options, long seed, AtomicLong bytes) {
        Random random = new Random(seed);
        int messages = 1 + random.nextInt(MAX_MESSAGES);
        List<byte[]> sent = new ArrayList<>();
        MessageDigest digest = Rel.sha256();
        for (int i = 0; i < messages; i++) {
            byte[] message = new byte[1 + random.nextInt(MAX_MESSAGE)];
            random.nextBytes(message);
            sent.add(message);
            digest.update(message);
            bytes.addAndGet(message.length);
        }
        String expected = hex(digest.digest());
        return NettyStreams.openConnection(HOST, port, options).thenCompose(connection -> {
            for (byte[] message : sent) {
                connection.writer().write(message);
            }
            connection.writer().writeEof();
            return connection.reader().read(-1).thenApply(echoed -> {
                connection.close();
                String got = hex(Rel.sha256().digest(echoed));
                return got.equals(expected) ? null : connection + ": SHA-256 " + got + " != " + expected;
            });
        }).exceptionally(failure -> "seed " + seed + ": " + failure);
    }

    /**
     * {@code com.sun.management.UnixOperatingSystemMXBean#getMaxFileDescriptorCount}, reached by reflection (the test
     * sources are compiled into the module, which does not read {@code jdk.management}); -1 when not there.
     */
    static long maxFileDescriptors() {
        try {
            Object os = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getOperatingSystemMXBean").invoke(null);
            Class<?> unix = Class.forName("com.sun.management.UnixOperatingSystemMXBean");
            return unix.isInstance(os) ? (Long) unix.getMethod("getMaxFileDescriptorCount").invoke(os) : -1;
        } catch (ReflectiveOperationException | RuntimeException notThere) {
            return -1;
        }
    }

    @Test
    void manyConcurrentConnectionsEachGetTheirBytesBack() throws Exception {
        long maxFds = maxFileDescriptors();
        long needed = 2L * CONNECTIONS + 200;
        Assumptions.assumeTrue(maxFds < 0 || maxFds >= needed, () -> "ulimit -n is " + maxFds + ", " + CONNECTIONS
                + " connections need about " + needed + " file descriptors: skipped");

        Transport transport = Transport.preferred();
        ServerOptions serverOptions = ServerOptions.builder().backlog(CONNECTIONS)
                .eventLoopGroup(TransportGroups.group(transport)).build();
        ConnectOptions clientOptions = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport))
                .build();
        StreamServer server = await(NettyStreams.startServer(ManyConnectionsTest::echo, HOST, 0, serverOptions));
        try {
            AtomicLong bytes = new AtomicLong();
            long seed = new Random().nextLong();
            List<CompletableFuture<String>> clients = new ArrayList<>(CONNECTIONS);
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(client(port(server), clientOptions, seed + i, bytes));
            }
            within(CompletableFuture.allOf(clients.toArray(new CompletableFuture<?>[0])));
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            for (CompletableFuture<String> client : clients) {
                String error = client.join();
                if (error != null) {
                    errors.add(error);
                }
            }
            assertThat(errors).as("failed connections (base seed %d)", seed).isEmpty();
            figure("many-connections", "%d concurrent connections on %s (ulimit -n %d): %s echoed, SHA-256 equal"
                    + " for all, 0 errors", CONNECTIONS, transport, maxFds, mib(bytes.get()));
        } finally {
            server.close();
            within(server.waitClosed());
        }
    }
}
