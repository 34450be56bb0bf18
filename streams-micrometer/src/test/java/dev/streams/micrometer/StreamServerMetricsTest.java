package dev.streams.micrometer;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streams.StreamConnection;
import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link StreamServerMetrics} on a {@link SimpleMeterRegistry}, against a real server: each meter reads what the test
 * did — connections served and refused, bytes each way, a handler that failed, a drain that waited.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamServerMetricsTest {

    private static final String HOST = "127.0.0.1";
    /**
     * Small socket buffers for the connection that gets 1 MiB: the kernel holds far less than that, so the server's
     * drain waits until the client reads (with the kernel's autotuned buffers, 1 MiB may fit at once).
     */
    private static final int SOCKET_BUFFER = 4096;

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    private static double counter(MeterRegistry registry, String name) {
        return registry.get(name).functionCounter().count();
    }

    /**
     * Each line: "throw" fails the handler; "large" writes 1 MiB (for a client that reads it only once the drain
     * waits) and ends; any other line is echoed, until EOF.
     */
    private static CompletionStage<Void> serve(StreamReader reader, StreamWriter writer,
                                               CompletableFuture<Boolean> drainDoneAtOnce) {
        return reader.readLine().thenCompose(line -> {
            String command = new String(line, UTF_8);
            if (line.length == 0) {
                return CompletableFuture.completedFuture(null);
            }
            if (command.equals("throw\n")) {
                throw new IllegalStateException("a bug in the handler (expected by the test)");
            }
            if (command.equals("large\n")) {
                writer.write(new byte[1 << 20]);
                CompletableFuture<Void> drained = writer.drain();
                drainDoneAtOnce.complete(drained.isDone());
                return drained;
            }
            writer.write(line);
            return writer.drain().thenCompose(ignored -> serve(reader, writer, drainDoneAtOnce));
        });
    }

    @Test
    void theMetersCountWhatTheServerDid() throws Exception {
        CompletableFuture<Boolean> drainDoneAtOnce = new CompletableFuture<>();
        StreamServer server = await(NettyStreams.startServer((reader, writer) -> serve(reader, writer,
                drainDoneAtOnce), HOST, 0, ServerOptions.builder().maxConnections(4)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER).build()));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StreamServerMetrics binder = new StreamServerMetrics(server, Tags.of("service", "echo"));
        binder.bindTo(registry);
        String tag = HOST + ":" + port(server);
        List<StreamConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                StreamConnection client = await(NettyStreams.openConnection(HOST, port(server)));
                open.add(client);
                client.writer().write("hello\n".getBytes(UTF_8));
                assertThat(await(client.reader().readLine())).isEqualTo("hello\n".getBytes(UTF_8));
            }
            assertThat(registry.get("streams.server.connections.open").tag("server", tag).gauge().value())
                    .isEqualTo(2);
            try (Socket failing = new Socket(HOST, port(server))) { // the third of maxConnections 4
                StreamConnection large = await(NettyStreams.openConnection(HOST, port(server), // the fourth
                        ConnectOptions.builder().option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER).build()));
                open.add(large);
                large.writer().write("large\n".getBytes(UTF_8));
                assertThat(await(drainDoneAtOnce, Duration.ofSeconds(30))).as("the drain waits").isFalse();
                try (StreamConnection beyond = await(NettyStreams.openConnection(HOST, port(server)))) {
                    assertThat(await(beyond.reader().read(-1), Duration.ofSeconds(30))).as("the fifth is refused: EOF").isEmpty();
                }
                failing.getOutputStream().write("throw\n".getBytes(UTF_8));
                assertThat(failing.getInputStream().read()).as("closed after the failure").isEqualTo(-1);
                assertThat(await(large.reader().readExactly(1 << 20))).hasSize(1 << 20);
            }
        } finally {
            for (StreamConnection client : open) {
                client.close();
            }
            server.close();
            await(server.waitClosed(), Duration.ofSeconds(30));
        }
        assertThat(registry.get("streams.server.connections.open").tag("server", tag).gauge().value()).isZero();
        assertThat(counter(registry, "streams.server.connections.accepted")).isEqualTo(4);
        assertThat(counter(registry, "streams.server.connections.refused")).isEqualTo(1);
        assertThat(counter(registry, "streams.server.bytes.read"))
                .isEqualTo(2 * "hello\n".length() + "throw\n".length() + "large\n".length());
        assertThat(counter(registry, "streams.server.bytes.written")).isEqualTo(2 * "hello\n".length() + (1 << 20));
        assertThat(counter(registry, "streams.server.handler.failures")).isEqualTo(1);
        FunctionTimer drain = registry.get("streams.server.drain.wait").functionTimer();
        assertThat(drain.count()).isEqualTo(1);
        // Micrometer converts the total through its base unit (a double): equal to the nanosecond, not to the bit.
        assertThat(drain.totalTime(TimeUnit.NANOSECONDS)).isPositive()
                .isCloseTo(server.metrics().drainWaitNanos(), within(1.0));

        List<Meter> meters = registry.getMeters();
        assertThat(meters).hasSize(7).allSatisfy(meter -> {
            assertThat(meter.getId().getName()).startsWith("streams.server.");
            assertThat(meter.getId().getTag("server")).isEqualTo(tag);
            assertThat(meter.getId().getTag("service")).isEqualTo("echo");
        });
        assertThat(registry.get("streams.server.bytes.read").meter().getId().getBaseUnit()).isEqualTo("bytes");
        assertThat(registry.get("streams.server.connections.open").meter().getId().getBaseUnit())
                .isEqualTo("connections");
        binder.close();
        assertThat(registry.getMeters()).as("close() removes them").isEmpty();
        binder.close();
    }

    @Test
    void twoServersGetTwoSetsOfMetersTaggedWithTheirAddresses() throws Exception {
        StreamServer one = await(NettyStreams.startServer((r, w) -> null, HOST, 0));
        StreamServer two = await(NettyStreams.startServer((r, w) -> null, HOST, 0));
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new StreamServerMetrics(one).bindTo(registry);
            new StreamServerMetrics(two).bindTo(registry);
            assertThat(registry.find("streams.server.connections.accepted").functionCounters()).hasSize(2);
            assertThat(registry.get("streams.server.connections.accepted").tag("server", HOST + ":" + port(two))
                    .functionCounter().count()).isZero();
        } finally {
            one.close();
            two.close();
        }
    }

    @Test
    void theServerTagNamesEveryAddress() {
        List<SocketAddress> addresses = List.of(new InetSocketAddress("127.0.0.1", 8888),
                new InetSocketAddress("::1", 8888), new InetSocketAddress(8889),
                UnixDomainSocketAddress.of(Path.of("/tmp/echo.sock")));
        assertThat(StreamServerMetrics.describe(addresses))
                .isEqualTo("127.0.0.1:8888,[0:0:0:0:0:0:0:1]:8888,0.0.0.0:8889,unix:/tmp/echo.sock");
        assertThat(StreamServerMetrics.describe(List.of())).isEqualTo("none");
    }

    @Test
    void aServerTagGivenByTheUserWins() throws IOException {
        StreamServer server = await(NettyStreams.startServer((r, w) -> null, HOST, 0));
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new StreamServerMetrics(server, Tags.of("server", "echo-8888")).bindTo(registry);
            assertThat(registry.getMeters()).hasSize(7)
                    .allSatisfy(meter -> assertThat(meter.getId().getTag("server")).isEqualTo("echo-8888"));
        } finally {
            server.close();
        }
    }

    @Test
    void nullsAreRefused() {
        assertThatThrownBy(() -> new StreamServerMetrics(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("server");
        assertThatThrownBy(() -> StreamServerMetrics.describe(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("addresses");
    }
}
