package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static dev.streams.netty.reliability.Rel.port;
import static dev.streams.netty.reliability.Rel.within;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.testing.BlockingSchedulers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shutdown: {@code close} + {@code closeClients} + {@code waitClosed} on a server whose handlers are busy writing
 * completes, and every byte a handler's {@code write} accepted before the close reaches its client; after
 * {@code shutdownDefaultGroup()} no thread of ours is left; and a JVM whose {@code main} leaves a server and a
 * connection open on the default group exits by itself.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(DirectMemoryCheck.class)
class ShutdownTest {

    private static final int CLIENTS = 20;
    private static final int BLOCK = 8 * 1024;

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    /** The byte at stream position {@code i}: a pattern that shows a lost or repeated block. */
    private static byte patternAt(long i) {
        return (byte) (i % 251);
    }

    /** Reads until EOF checking the pattern; completes with the byte count (or fails at the first wrong byte). */
    private static void readPattern(StreamReader reader, long[] count, CompletableFuture<Long> done) {
        reader.read(64 * 1024).whenComplete((bytes, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
                return;
            }
            if (bytes.length == 0) {
                done.complete(count[0]);
                return;
            }
            for (byte b : bytes) {
                if (b != patternAt(count[0]++)) {
                    done.completeExceptionally(new AssertionError("wrong byte at " + (count[0] - 1)));
                    return;
                }
            }
            readPattern(reader, count, done);
        });
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.WITH_TRANSPORTS)
    void closeClientsWithBusyHandlersLosesNothingWrittenBeforeIt(Transport transport, BlockingScheduler scheduler)
            throws Exception {
        Map<Integer, CompletableFuture<Long>> accepted = new ConcurrentHashMap<>();
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            CompletableFuture<Long> total = accepted.computeIfAbsent(
                    ((InetSocketAddress) writer.remoteAddress()).getPort(), port -> new CompletableFuture<>());
            byte[] block = new byte[BLOCK];
            long written = 0;
            try {
                while (true) {
                    for (int i = 0; i < BLOCK; i++) {
                        block[i] = patternAt(written + i);
                    }
                    writer.write(block); // throws IllegalStateException once closeClients() closed the writer
                    written += BLOCK;
                    await(writer.drain());
                }
            } catch (IllegalStateException | IOException closed) {
                total.complete(written);
            }
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport))
                .blockingScheduler(scheduler).build()));

        ConnectOptions options = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build();
        List<StreamConnection> clients = new ArrayList<>();
        List<CompletableFuture<Long>> received = new ArrayList<>();
        List<CompletableFuture<Void>> busy = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            StreamConnection client = await(NettyStreams.openConnection(HOST, port(server), options));
            clients.add(client);
            busy.add(dev.streams.netty.internal.Internals.whenReceived(client.writer(), 256 * 1024));
            CompletableFuture<Long> done = new CompletableFuture<>();
            readPattern(client.reader(), new long[1], done);
            received.add(done);
        }
        within(CompletableFuture.allOf(busy.toArray(new CompletableFuture<?>[0]))); // every handler is busy

        server.close();
        server.closeClients();
        within(server.waitClosed());

        long total = 0;
        for (int i = 0; i < CLIENTS; i++) {
            StreamConnection client = clients.get(i);
            int port = ((InetSocketAddress) client.writer().localAddress()).getPort();
            long got = within(received.get(i));
            assertThat(got).as("bytes %s received of what its handler's writes accepted", client)
                    .isEqualTo(within(accepted.get(port)));
            total += got;
            client.close();
            within(client.writer().waitClosed());
        }
        figure("shutdown-" + transport.name().toLowerCase(), "close + closeClients + waitClosed with %d busy"
                + " clients: %d bytes accepted by write() before the close, all %d received", CLIENTS, total, total);
    }

    private static Set<Thread> threadsOfOurs() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("streams-"))
                .collect(Collectors.toSet());
    }

    private static Set<Thread> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon())
                .collect(Collectors.toSet());
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.AVAILABLE)
    void afterShutdownDefaultGroupNoThreadOfOursRemains(BlockingScheduler scheduler) throws Exception {
        Set<Thread> nonDaemonBefore = nonDaemonThreads();
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            writer.write(await(reader.readLine()));
        }, HOST, 0, ServerOptions.builder().blockingScheduler(scheduler).build()));
        try (StreamConnection client = await(NettyStreams.openConnection(HOST, port(server)))) {
            client.writer().write("ping\n".getBytes(UTF_8));
            assertThat(await(client.reader().readLine())).isEqualTo("ping\n".getBytes(UTF_8));
        }
        server.close();
        within(server.waitClosed());
        Set<Thread> during = threadsOfOurs();
        assertThat(during).as("the default group's threads").isNotEmpty();
        assertThat(during).allMatch(Thread::isDaemon, "daemon");

        within(NettyStreams.shutdownDefaultGroup());
        for (Thread thread : during) {
            thread.join(TimeUnit.SECONDS.toMillis(Rel.HANG_SECONDS)); // loops end with the group; pool threads idle out
        }
        // Shutting a group down starts the threads of its loops that never ran (each runs its own shutdown and
        // ends): those are not in `during`; wait for them too, bounded.
        for (Thread thread : threadsOfOurs()) {
            thread.join(TimeUnit.SECONDS.toMillis(Rel.HANG_SECONDS));
        }
        Set<Thread> left = threadsOfOurs();
        Set<Thread> nonDaemonNew = nonDaemonThreads();
        nonDaemonNew.removeAll(nonDaemonBefore);
        // Netty's own globalEventExecutor thread (non-daemon; it runs the group's termination listeners) ends by
        // itself after a quiet second: wait for it and anything like it, bounded.
        List<String> waitedFor = new ArrayList<>();
        for (Thread thread : nonDaemonNew) {
            waitedFor.add(thread.getName());
            thread.join(TimeUnit.SECONDS.toMillis(Rel.HANG_SECONDS));
        }
        nonDaemonNew.removeIf(t -> !t.isAlive());
        assertThat(left).as("threads named streams-* still alive").isEmpty();
        assertThat(nonDaemonNew).as("non-daemon threads started since the test began").isEmpty();
        figure("shutdown-default-group", "%d streams-* threads (all daemons) while serving, %d left after"
                + " shutdownDefaultGroup(); non-daemon threads that ended by themselves %s, %d left", during.size(),
                left.size(), waitedFor, nonDaemonNew.size());
    }

    @Test
    void aJvmThatLeavesAServerAndAConnectionOpenExitsByItself() throws Exception {
        Path out = Files.createTempFile("default-group-main", ".out");
        try {
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    DefaultGroupMain.class.getName())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            long start = System.nanoTime();
            boolean exited = child.waitFor(Rel.HANG_SECONDS, TimeUnit.SECONDS);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (!exited) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(out);
            assertThat(exited).as("the child JVM exited by itself; its output:%n%s", output).isTrue();
            assertThat(child.exitValue()).as(output).isZero();
            assertThat(output).contains("echoed: hello from the child");
            figure("child-jvm-exit", "a JVM returning from main with a server and a connection open on the default"
                    + " group exited by itself, code 0, after %d ms (including start-up)", tookMillis);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
