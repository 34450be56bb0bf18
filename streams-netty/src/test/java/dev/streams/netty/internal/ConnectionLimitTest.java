package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.TransportGroups;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ServerOptions.maxConnections} over real sockets: beyond the limit a new connection is closed at once (the
 * client reads EOF, not the server's greeting) and counted in {@code metrics().connectionsRefused()}; once a
 * connection ends, a new one is served again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionLimitTest {

    private static final String HOST = "127.0.0.1";
    private static final int MAX = 3;

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    /** Greets each connection with "hello", then echoes lines until EOF. */
    private static StreamServer greetingServer(Transport transport, int max) throws IOException {
        return await(NettyStreams.startBlockingServer((reader, writer) -> {
            writer.write("hello\n".getBytes(UTF_8));
            byte[] line;
            while ((line = await(reader.readLine())).length > 0) {
                writer.write(line);
                await(writer.drain());
            }
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport)).maxConnections(max)
                .build()));
    }

    private static StreamConnection connect(StreamServer server, Transport transport) throws IOException {
        int port = ((InetSocketAddress) server.localAddresses().get(0)).getPort();
        return await(NettyStreams.openConnection(HOST, port, ConnectOptions.builder()
                .eventLoopGroup(TransportGroups.group(transport)).build()));
    }

    /** True when the server served this connection (it greeted), false when it closed it at once (EOF). */
    private static boolean served(StreamConnection connection) throws IOException {
        byte[] first = await(connection.reader().readLine());
        if (first.length == 0) {
            return false;
        }
        assertThat(new String(first, UTF_8)).isEqualTo("hello\n");
        return true;
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void beyondMaxConnectionsNewConnectionsAreClosedAtOnceAndCounted(Transport transport) throws Exception {
        StreamServer server = greetingServer(transport, MAX);
        List<StreamConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX; i++) {
                StreamConnection connection = connect(server, transport);
                open.add(connection);
                assertThat(served(connection)).as("connection %d of %d", i + 1, MAX).isTrue();
            }
            try (StreamConnection beyond = connect(server, transport)) {
                assertThat(await(beyond.reader().read(-1))).as("closed at once: EOF, no greeting").isEmpty();
            }
            assertThat(server.metrics().connectionsRefused()).isEqualTo(1);

            StreamConnection first = open.remove(0);
            first.close();
            await(first.writer().waitClosed());
            // The server counts the connection down when its own end has closed, soon after: until then a new
            // connection may still be refused. Bounded retries, no waiting.
            int refusedMeanwhile = 0;
            StreamConnection again;
            while (true) {
                again = connect(server, transport);
                if (served(again)) {
                    break;
                }
                again.close();
                assertThat(++refusedMeanwhile).as("refused while the closed one was counted down").isLessThan(10_000);
            }
            open.add(again);
            again.writer().write("still echoing\n".getBytes(UTF_8));
            assertThat(new String(await(again.reader().readLine()), UTF_8)).isEqualTo("still echoing\n");
            assertThat(server.metrics().connectionsRefused()).isEqualTo(1 + refusedMeanwhile);
            System.out.printf("FIGURE connection-limit-%s: maxConnections %d: connection %d closed at once (EOF),"
                    + " metrics().connectionsRefused() = %d; after one closed, %d more refused before one was served%n",
                    transport.name().toLowerCase(java.util.Locale.ROOT), MAX, MAX + 1,
                    server.metrics().connectionsRefused(), refusedMeanwhile);
            for (StreamConnection connection : open) {
                connection.writer().write("bye\n".getBytes(UTF_8));
                assertThat(new String(await(connection.reader().readLine()), UTF_8)).as("the others go on")
                        .isEqualTo("bye\n");
            }
        } finally {
            for (StreamConnection connection : open) {
                connection.close();
            }
            server.close();
            server.closeClients();
            await(server.waitClosed());
        }
    }

    @Test
    void withoutALimitNothingIsRefused() throws Exception {
        StreamServer server = greetingServer(Transport.preferred(), ServerOptions.UNLIMITED_CONNECTIONS);
        try (StreamConnection connection = connect(server, Transport.preferred())) {
            assertThat(served(connection)).isTrue();
            assertThat(server.metrics().connectionsRefused()).isZero();
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @Test
    void maxConnectionsMustBePositive() {
        assertThatThrownBy(() -> ServerOptions.builder().maxConnections(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConnections <= 0: 0");
        assertThatThrownBy(() -> ServerOptions.builder().maxConnections(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConnections <= 0: -5");
        assertThat(ServerOptions.DEFAULTS.maxConnections()).isEqualTo(Integer.MAX_VALUE);
        assertThat(ServerOptions.builder().maxConnections(7).build().maxConnections()).isEqualTo(7);
        assertThat(ServerOptions.builder().maxConnections(7).build().toBuilder().build().maxConnections())
                .isEqualTo(7);
    }
}
