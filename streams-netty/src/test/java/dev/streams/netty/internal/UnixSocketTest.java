package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.Endpoint;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.BlockingSchedulers;
import dev.streams.netty.testing.TransportGroups;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Unix domain sockets on epoll and NIO: echo in both styles, typed addresses, the socket file's life. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnixSocketTest {

    @TempDir
    Path dir;

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    static Stream<Transport> transports() {
        return Stream.of(Transport.EPOLL, Transport.NIO);
    }

    static Stream<Arguments> transportsAndSchedulers() {
        return transports().flatMap(t -> BlockingSchedulers.available().map(s -> Arguments.of(t, s)));
    }

    private static ServerOptions serverOptions(Transport transport) {
        return ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build();
    }

    private static ConnectOptions clientOptions(Transport transport) {
        return ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build();
    }

    @ParameterizedTest
    @MethodSource("transportsAndSchedulers")
    void echoesInBothStylesAndRemovesTheSocketFileOnClose(Transport transport, BlockingScheduler scheduler)
            throws Exception {
        Path async = dir.resolve("async.sock");
        Path blocking = dir.resolve("blocking.sock");
        StreamServer one = await(NettyStreams.startServer(EndToEndTest::echoAsync, Endpoint.unix(async),
                serverOptions(transport)));
        StreamServer two = await(NettyStreams.startBlockingServer(EndToEndTest.ECHO_BLOCKING, Endpoint.unix(blocking),
                serverOptions(transport).toBuilder().blockingScheduler(scheduler).build()));
        try {
            assertThat(one.localAddresses()).containsExactly(UnixDomainSocketAddress.of(async));
            for (Path path : new Path[] {async, blocking}) {
                try (StreamConnection conn = await(NettyStreams.openConnection(Endpoint.unix(path), clientOptions(transport)))) {
                    conn.writer().write("Привет\n".getBytes(UTF_8));
                    assertThat(new String(await(conn.reader().readLine()), UTF_8)).isEqualTo("Привет\n");
                    assertThat(conn.writer().remoteAddress()).isEqualTo(UnixDomainSocketAddress.of(path));
                    assertThat(conn.writer().canWriteEof()).isTrue();
                    conn.writer().writeEof();
                    assertThat(await(conn.reader().read(-1))).isEmpty();
                }
            }
        } finally {
            one.close();
            two.close();
            await(one.waitClosed());
            await(two.waitClosed());
        }
        assertThat(async).doesNotExist();
        assertThat(blocking).doesNotExist();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aStaleSocketFileIsReplacedAndAnyOtherFileRefused(Transport transport) throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(stale)); // the JDK leaves the file behind on close
        }
        assertThat(stale).exists();
        StreamServer server = await(NettyStreams.startServer(EndToEndTest::echoAsync, Endpoint.unix(stale),
                serverOptions(transport)));
        try (StreamConnection conn = await(NettyStreams.openConnection(Endpoint.unix(stale), clientOptions(transport)))) {
            conn.writer().write("fresh\n".getBytes(UTF_8));
            assertThat(new String(await(conn.reader().readLine()), UTF_8)).isEqualTo("fresh\n");
        } finally {
            server.close();
            await(server.waitClosed());
        }

        Path regular = Files.writeString(dir.resolve("not-a-socket"), "data");
        assertThatThrownBy(() -> NettyStreams.startServer(EndToEndTest::echoAsync, Endpoint.unix(regular),
                serverOptions(transport))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a socket");
        assertThat(regular).hasContent("data");
    }

    @ParameterizedTest
    @MethodSource("transports")
    void connectingToNothingFails(Transport transport) {
        assertThatThrownBy(() -> await(NettyStreams.openConnection(Endpoint.unix(dir.resolve("nobody.sock")),
                clientOptions(transport)))).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("nobody.sock");
    }
}
