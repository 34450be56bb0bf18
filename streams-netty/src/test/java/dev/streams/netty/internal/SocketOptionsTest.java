package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.Endpoint;
import dev.streams.netty.NettyStreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.TransportGroups;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Socket options ({@code option(ChannelOption, value)} on both builders, {@code serverOption} for listening sockets):
 * read back from the channels on epoll and NIO, the user's {@code TCP_NODELAY} winning over the library's, and
 * options a transport does not know (or values it refuses) failing the call with the option's name.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketOptionsTest {

    private static final String HOST = "127.0.0.1";
    private static final int BUFFER = 48 * 1024;
    private static final int TOS = 0x10; // IPTOS_LOWDELAY

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    private static Channel channel(StreamConnection connection) {
        return ((NettyStreamWriter) connection.writer()).channel();
    }

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    /** Linux doubles a buffer size for its bookkeeping and reports the doubled value. */
    private static void assertBuffer(int actual) {
        assertThat(actual).isIn(BUFFER, 2 * BUFFER);
    }

    /** A server whose handler reports its connection's channel, and keeps it until the client's EOF. */
    private static StreamServer reportingServer(ServerOptions options, CompletableFuture<Channel> accepted)
            throws Exception {
        return await(NettyStreams.startServer((reader, writer) -> {
            accepted.complete(((NettyStreamWriter) writer).channel());
            return reader.read(-1);
        }, HOST, 0, options));
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void aClientsOptionsAreSetOnItsSocket(Transport transport) throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        StreamServer server = reportingServer(ServerOptions.builder()
                .eventLoopGroup(TransportGroups.group(transport)).build(), accepted);
        ConnectOptions options = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport))
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.SO_RCVBUF, BUFFER)
                .option(ChannelOption.SO_SNDBUF, BUFFER)
                .option(ChannelOption.TCP_NODELAY, false) // the library's default is on: the user's value wins
                .option(ChannelOption.IP_TOS, TOS)
                .build();
        try (StreamConnection connection = await(NettyStreams.openConnection(HOST, port(server), options))) {
            Channel channel = channel(connection);
            assertThat(channel.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            assertBuffer(channel.config().getOption(ChannelOption.SO_RCVBUF));
            assertBuffer(channel.config().getOption(ChannelOption.SO_SNDBUF));
            assertThat(channel.config().getOption(ChannelOption.TCP_NODELAY)).isFalse();
            assertThat(channel.config().getOption(ChannelOption.IP_TOS)).isEqualTo(TOS);
            // ... and on no other socket: the server's end has the defaults.
            Channel serverEnd = accepted.get(10, TimeUnit.SECONDS);
            assertThat(serverEnd.config().getOption(ChannelOption.SO_KEEPALIVE)).isFalse();
            assertThat(serverEnd.config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void withoutOptionsAConnectionHasTcpNoDelayOn(Transport transport) throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        StreamServer server = reportingServer(ServerOptions.builder()
                .eventLoopGroup(TransportGroups.group(transport)).build(), accepted);
        try (StreamConnection connection = await(NettyStreams.openConnection(HOST, port(server),
                ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build()))) {
            assertThat(channel(connection).config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void aServersOptionsAreSetOnEveryAcceptedSocket(Transport transport) throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        StreamServer server = reportingServer(ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport))
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.SO_SNDBUF, BUFFER)
                .option(ChannelOption.TCP_NODELAY, false)
                .option(ChannelOption.IP_TOS, TOS)
                .build(), accepted);
        try (StreamConnection connection = await(NettyStreams.openConnection(HOST, port(server),
                ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build()))) {
            Channel serverEnd = accepted.get(10, TimeUnit.SECONDS);
            assertThat(serverEnd.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            assertBuffer(serverEnd.config().getOption(ChannelOption.SO_SNDBUF));
            assertThat(serverEnd.config().getOption(ChannelOption.TCP_NODELAY)).isFalse();
            assertThat(serverEnd.config().getOption(ChannelOption.IP_TOS)).isEqualTo(TOS);
            assertThat(channel(connection).config().getOption(ChannelOption.SO_KEEPALIVE)).isFalse();
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void aServerOptionIsSetOnTheListeningSocketAndInheritedByAcceptedOnes(Transport transport) throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        StreamServer server = reportingServer(ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport))
                .serverOption(ChannelOption.SO_RCVBUF, BUFFER).build(), accepted);
        try (StreamConnection connection = await(NettyStreams.openConnection(HOST, port(server),
                ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build()))) {
            assertBuffer(accepted.get(10, TimeUnit.SECONDS).config().getOption(ChannelOption.SO_RCVBUF));
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @Test
    void anOptionTheTransportDoesNotKnowFailsTheConnectWithItsName() {
        ConnectOptions options = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(Transport.NIO))
                .option(EpollChannelOption.TCP_CORK, true).build();
        assertThatThrownBy(() -> NettyStreams.openConnection(HOST, 9, options))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TCP_CORK")
                .hasMessageContaining("NioSocketChannel");
    }

    @Test
    void anOptionTheTransportDoesNotKnowFailsTheServerStartWithItsName() {
        ServerOptions child = ServerOptions.builder().eventLoopGroup(TransportGroups.group(Transport.NIO))
                .option(ChannelOption.valueOf("MADE_UP_OPTION"), 1).build();
        assertThatThrownBy(() -> NettyStreams.startServer((r, w) -> null, HOST, 0, child))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MADE_UP_OPTION");
        ServerOptions listening = ServerOptions.builder().eventLoopGroup(TransportGroups.group(Transport.NIO))
                .serverOption(EpollChannelOption.TCP_DEFER_ACCEPT, 1).build();
        assertThatThrownBy(() -> NettyStreams.startServer((r, w) -> null, HOST, 0, listening))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TCP_DEFER_ACCEPT")
                .hasMessageContaining("NioServerSocketChannel");
    }

    @Test
    void anEpollOnlyOptionWorksOnEpoll() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        StreamServer server = reportingServer(ServerOptions.builder()
                .eventLoopGroup(TransportGroups.group(Transport.EPOLL)).build(), accepted);
        try (StreamConnection connection = await(NettyStreams.openConnection(HOST, port(server),
                ConnectOptions.builder().eventLoopGroup(TransportGroups.group(Transport.EPOLL))
                        .option(EpollChannelOption.TCP_KEEPIDLE, 77).build()))) {
            assertThat(channel(connection).config().getOption(EpollChannelOption.TCP_KEEPIDLE)).isEqualTo(77);
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @Test
    void aValueTheSocketRefusesFailsTheCallWithTheOptionsName() {
        ConnectOptions options = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(Transport.NIO))
                .option(ChannelOption.SO_RCVBUF, -1).build();
        assertThatThrownBy(() -> NettyStreams.openConnection(HOST, 9, options))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SO_RCVBUF")
                .hasMessageContaining("-1");
    }

    @Test
    void aTcpOptionOnAUnixSocketFailsTheCall() throws Exception {
        Path directory = Files.createTempDirectory("options");
        try {
            ConnectOptions options = ConnectOptions.builder().option(ChannelOption.TCP_NODELAY, true).build();
            assertThatThrownBy(() -> NettyStreams.openConnection(Endpoint.unix(directory.resolve("s.sock")),
                    options)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TCP_NODELAY");
        } finally {
            Files.delete(directory);
        }
    }

    @Test
    void optionsTheLibraryManagesAreRefusedByTheBuilder() {
        assertThatThrownBy(() -> ConnectOptions.builder().option(ChannelOption.AUTO_READ, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AUTO_READ")
                .hasMessageContaining("back-pressure");
        assertThatThrownBy(() -> ServerOptions.builder().option(ChannelOption.ALLOW_HALF_CLOSURE, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ALLOW_HALF_CLOSURE");
        assertThatThrownBy(() -> ConnectOptions.builder().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> ServerOptions.builder().serverOption(ChannelOption.SO_BACKLOG, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backlog(int)");
        assertThatThrownBy(() -> ConnectOptions.builder().option(null, 1)).isInstanceOf(NullPointerException.class)
                .hasMessage("option");
    }

    @Test
    void optionsAreKeptInOrderCopiedByToBuilderAndRemovedByNull() {
        ConnectOptions options = ConnectOptions.builder().option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.IP_TOS, TOS).wiretap(true).build();
        assertThat(options.channelOptions()).containsExactly(Map.entry(ChannelOption.SO_KEEPALIVE, true),
                Map.entry(ChannelOption.IP_TOS, TOS));
        assertThat(options.toString()).contains("SO_KEEPALIVE").contains("wiretap");
        ConnectOptions copy = options.toBuilder().option(ChannelOption.SO_KEEPALIVE, null).build();
        assertThat(copy.channelOptions()).containsExactly(Map.entry(ChannelOption.IP_TOS, TOS));
        assertThat(copy.wiretap()).isTrue();
        assertThat(options.channelOptions()).hasSize(2); // immutable: the copy's change is its own
        assertThatThrownBy(() -> options.channelOptions().clear()).isInstanceOf(UnsupportedOperationException.class);
        ServerOptions server = ServerOptions.builder().serverOption(ChannelOption.SO_RCVBUF, BUFFER).build();
        assertThat(server.toBuilder().build().serverChannelOptions())
                .containsExactly(Map.entry(ChannelOption.SO_RCVBUF, BUFFER));
    }
}
