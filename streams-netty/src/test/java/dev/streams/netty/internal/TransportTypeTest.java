package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.TransportType;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The {@code transport} option picks the default group's transport; each available one echoes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TransportTypeTest {

    @AfterAll
    static void shutdown() throws Exception {
        NettyStreams.shutdownDefaultGroup().get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(TransportType.class)
    void eachTransportEchoes(TransportType type) throws Exception {
        Transport expected = type == TransportType.AUTO ? Transport.preferred() : Transport.valueOf(type.name());
        Assumptions.assumeTrue(expected.isAvailable(), () -> type + " is not available here");
        StreamServer server = await(NettyStreams.startServer(EndToEndTest::echoAsync, "127.0.0.1", 0,
                ServerOptions.builder().transport(type).build()));
        try (StreamConnection conn = await(NettyStreams.openConnection("127.0.0.1",
                ((InetSocketAddress) server.localAddresses().get(0)).getPort(),
                ConnectOptions.builder().transport(type).build()))) {
            assertThat(Transport.of(((NettyStreamConnection) conn).writer().channel().eventLoop().parent()))
                    .isEqualTo(expected);
            conn.writer().write("hop\n".getBytes(UTF_8));
            assertThat(new String(await(conn.reader().readLine()), UTF_8)).isEqualTo("hop\n");
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }
}
