package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.Endpoint;
import dev.streams.netty.NettyStreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ProxyOptions;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.TransportType;
import dev.streams.netty.testing.ExternalProxy;
import dev.streams.netty.testing.TransportGroups;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sockets that already exist (asyncio's {@code sock=}): a connection over a connected {@link SocketChannel} and a
 * server on a bound {@link ServerSocketChannel} that the test made itself, TCP and Unix, plain and TLS; and the
 * socket a child JVM inherited on its standard input (started through python3, which binds or connects the socket
 * and execs the JVM with it as fd 0, as systemd and inetd do).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExistingSocketTest {

    private static final String HOST = "127.0.0.1";

    private static X509Bundle certificate;
    private static SslContext serverTls;
    private static SslContext clientTls;

    @BeforeAll
    static void certificates() throws Exception {
        certificate = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .addSanIpAddress(HOST).setIsCertificateAuthority(true).ecp256().buildSelfSigned();
        serverTls = SslContextBuilder.forServer(certificate.getKeyPair().getPrivate(),
                certificate.getCertificatePath()).build();
        clientTls = SslContextBuilder.forClient().trustManager(certificate.getCertificate()).build();
    }

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    private static String roundTrip(StreamConnection connection, String line) throws IOException {
        connection.writer().write((line + "\n").getBytes(UTF_8));
        await(connection.writer().drain());
        return new String(await(connection.reader().readLine()), UTF_8);
    }

    private static StreamServer echoServer(ServerOptions options) throws IOException {
        return await(NettyStreams.startBlockingServer(EndToEndTest.ECHO_BLOCKING, HOST, 0, options));
    }

    // ------------------------------------------------------------------------------------------ connected sockets

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aConnectionRunsOverAnAlreadyConnectedSocketChannel(boolean tls) throws Exception {
        StreamServer server = echoServer(tls ? ServerOptions.builder().sslContext(serverTls).build()
                : ServerOptions.DEFAULTS);
        SocketChannel socket = SocketChannel.open(new InetSocketAddress(HOST, port(server)));
        ConnectOptions options = tls ? ConnectOptions.builder().sslContext(clientTls).build() : ConnectOptions.DEFAULTS;
        try (StreamConnection connection = await(NettyStreams.openConnection(Endpoint.of(socket), options))) {
            assertThat(((NettyStreamWriter) connection.writer()).channel()).isInstanceOf(NioSocketChannel.class);
            assertThat(connection.writer().remoteAddress()).isEqualTo(socket.getRemoteAddress());
            assertThat(connection.writer().sslSession().isPresent()).isEqualTo(tls); // the peer's IP verified
            assertThat(roundTrip(connection, "over a socket of my own")).isEqualTo("over a socket of my own\n");
            connection.writer().close();
            await(connection.writer().waitClosed());
            assertThat(socket.isOpen()).as("the connection owns the socket and closed it").isFalse();
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @Test
    void anExistingConnectionRunsOnTheOptionsNioGroupWithTheirSocketOptions() throws Exception {
        StreamServer server = echoServer(ServerOptions.DEFAULTS);
        SocketChannel socket = SocketChannel.open(new InetSocketAddress(HOST, port(server)));
        ConnectOptions options = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(Transport.NIO))
                .option(ChannelOption.SO_KEEPALIVE, true).option(ChannelOption.TCP_NODELAY, false).build();
        try (StreamConnection connection = await(NettyStreams.openConnection(Endpoint.of(socket), options))) {
            var channel = ((NettyStreamWriter) connection.writer()).channel();
            assertThat(TransportGroups.group(Transport.NIO).iterator()).toIterable().contains(channel.eventLoop());
            assertThat(channel.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            assertThat(channel.config().getOption(ChannelOption.TCP_NODELAY)).isFalse();
            assertThat(roundTrip(connection, "x")).isEqualTo("x\n");
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @Test
    void aConnectionRunsOverAConnectedUnixSocketChannel() throws Exception {
        Path directory = Files.createTempDirectory("existing");
        Path path = directory.resolve("echo.sock");
        StreamServer server = await(NettyStreams.startBlockingServer(EndToEndTest.ECHO_BLOCKING, Endpoint.unix(path),
                ServerOptions.DEFAULTS));
        try {
            SocketChannel socket = SocketChannel.open(UnixDomainSocketAddress.of(path));
            try (StreamConnection connection = await(NettyStreams.openConnection(Endpoint.of(socket),
                    ConnectOptions.DEFAULTS))) {
                assertThat(((NettyStreamWriter) connection.writer()).channel())
                        .isInstanceOf(NioDomainSocketChannel.class);
                assertThat(roundTrip(connection, "unix")).isEqualTo("unix\n");
            }
        } finally {
            server.close();
            await(server.waitClosed());
            Files.deleteIfExists(directory);
        }
    }

    // ------------------------------------------------------------------------------------------ listening sockets

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aServerServesOnAnAlreadyBoundServerSocketChannel(boolean tls) throws Exception {
        ServerSocketChannel listening = ServerSocketChannel.open().bind(new InetSocketAddress(HOST, 0));
        StreamServer server = await(NettyStreams.startBlockingServer(EndToEndTest.ECHO_BLOCKING,
                Endpoint.of(listening), tls ? ServerOptions.builder().sslContext(serverTls).build()
                        : ServerOptions.DEFAULTS));
        try {
            assertThat(server.localAddresses()).containsExactly(listening.getLocalAddress());
            for (Transport transport : List.of(Transport.EPOLL, Transport.NIO)) {
                if (!transport.isAvailable()) {
                    continue;
                }
                ConnectOptions.Builder client = ConnectOptions.builder()
                        .eventLoopGroup(TransportGroups.group(transport));
                if (tls) {
                    client.sslContext(clientTls);
                }
                try (StreamConnection connection = await(NettyStreams.openConnection(HOST, port(server),
                        client.build()))) {
                    assertThat(roundTrip(connection, "to a socket bound elsewhere"))
                            .isEqualTo("to a socket bound elsewhere\n");
                }
            }
        } finally {
            server.close();
            await(server.waitClosed());
        }
        assertThat(listening.isOpen()).as("the server owns the socket and closed it").isFalse();
    }

    @Test
    void aServerOnAnExistingSocketWaitsForStartServingWhenAsked() throws Exception {
        ServerSocketChannel listening = ServerSocketChannel.open().bind(new InetSocketAddress(HOST, 0));
        StreamServer server = await(NettyStreams.startBlockingServer(EndToEndTest.ECHO_BLOCKING,
                Endpoint.of(listening), ServerOptions.builder().startServing(false).build()));
        try {
            assertThat(server.isServing()).isFalse();
            CompletableFuture<StreamConnection> connecting = NettyStreams.openConnection(HOST, port(server));
            StreamConnection connection = await(connecting); // in the backlog: connected, not yet served
            CompletableFuture<byte[]> answer = connection.reader().readLine();
            connection.writer().write("later\n".getBytes(UTF_8));
            server.startServing();
            assertThat(await(answer)).isEqualTo("later\n".getBytes(UTF_8));
            connection.close();
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @Test
    void aServerServesOnABoundUnixServerSocketChannelAndRemovesItsFileOnClose() throws Exception {
        Path directory = Files.createTempDirectory("existing");
        Path path = directory.resolve("echo.sock");
        ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(path));
        StreamServer server = await(NettyStreams.startBlockingServer(EndToEndTest.ECHO_BLOCKING,
                Endpoint.of(listening), ServerOptions.DEFAULTS));
        try {
            try (StreamConnection connection = await(NettyStreams.openConnection(Endpoint.unix(path),
                    ConnectOptions.DEFAULTS))) {
                assertThat(roundTrip(connection, "unix")).isEqualTo("unix\n");
            }
        } finally {
            server.close();
            await(server.waitClosed());
        }
        // As asyncio's cleanup_socket (and this library's own Unix servers): the file goes with the server.
        assertThat(path).doesNotExist();
        Files.delete(directory);
    }

    // ------------------------------------------------------------------------------------------ misuse

    @Test
    void socketsInTheWrongStateOrForTheWrongSideAreRefused() throws Exception {
        try (SocketChannel unconnected = SocketChannel.open();
             ServerSocketChannel unbound = ServerSocketChannel.open();
             ServerSocketChannel bound = ServerSocketChannel.open().bind(new InetSocketAddress(HOST, 0));
             SocketChannel connected = SocketChannel.open(bound.getLocalAddress())) {
            assertThatThrownBy(() -> NettyStreams.openConnection(Endpoint.of(unconnected), ConnectOptions.DEFAULTS))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not connected");
            assertThatThrownBy(() -> NettyStreams.startServer((r, w) -> null, Endpoint.of(unbound),
                    ServerOptions.DEFAULTS)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not bound");
            assertThatThrownBy(() -> NettyStreams.startServer((r, w) -> null, Endpoint.of(connected),
                    ServerOptions.DEFAULTS)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a server");
            assertThatThrownBy(() -> NettyStreams.openConnection(Endpoint.of(bound), ConnectOptions.DEFAULTS))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a connection");
            assertThatThrownBy(() -> NettyStreams.openConnection(Endpoint.of(connected), ConnectOptions.builder()
                    .proxy(ProxyOptions.socks5(HOST, 1080)).build())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("proxy");
            assertThatThrownBy(() -> Endpoint.of((SocketChannel) null)).isInstanceOf(NullPointerException.class);
            assertThat(connected.isOpen()).as("a refused socket stays the caller's").isTrue();
        }
    }

    @Test
    void anExistingSocketNeedsNioAndSaysSo() throws Exception {
        Assumptions.assumeTrue(Transport.EPOLL.isAvailable(), "epoll is not available here");
        try (ServerSocketChannel bound = ServerSocketChannel.open().bind(new InetSocketAddress(HOST, 0));
             SocketChannel connected = SocketChannel.open(bound.getLocalAddress())) {
            assertThatThrownBy(() -> NettyStreams.openConnection(Endpoint.of(connected), ConnectOptions.builder()
                    .eventLoopGroup(TransportGroups.group(Transport.EPOLL)).build()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NIO");
            assertThatThrownBy(() -> NettyStreams.startServer((r, w) -> null, Endpoint.of(bound), ServerOptions
                    .builder().transport(TransportType.EPOLL).build()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NIO");
        }
    }

    @Test
    void withNoInheritedSocketInheritedSaysSo() {
        // This JVM's stdin is not a socket.
        assertThatThrownBy(Endpoint::inherited).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("inherited no stream socket");
    }

    // ------------------------------------------------------------------------------------------ inherited (fd 0)

    /** Binds or connects a socket, puts it on fd 0 and execs the JVM on {@link InheritedSocketMain}. */
    private static final String LAUNCHER = String.join("\n",
            "import os, socket, sys",
            "mode, java = sys.argv[1], sys.argv[2]",
            "if mode == 'serve':",
            "    s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(16)",
            "    print(s.getsockname()[1], flush=True)",
            "else:",
            "    s = socket.create_connection(('127.0.0.1', int(os.environ['TARGET_PORT'])))",
            "os.dup2(s.fileno(), 0)",
            "s.close()",
            "os.execv(java, sys.argv[2:])");

    private static Process launch(String mode, String targetPort) throws IOException {
        Path python = ExternalProxy.find("python3");
        Assumptions.assumeTrue(python != null, "python3 is not installed");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(python.toString(), "-c", LAUNCHER, mode, java));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), InheritedSocketMain.class.getName(),
                mode));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (targetPort != null) {
            builder.environment().put("TARGET_PORT", targetPort);
        }
        return builder.start();
    }

    private static String finish(Process child, BufferedReader output, StringBuilder seen) throws Exception {
        String line;
        while ((line = output.readLine()) != null) {
            seen.append(line).append('\n');
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).as(seen.toString()).isTrue();
        assertThat(child.exitValue()).as(seen.toString()).isZero();
        return seen.toString();
    }

    @Test
    void aChildJvmServesOnTheListeningSocketItInherited() throws Exception {
        Process child = launch("serve", null);
        StringBuilder seen = new StringBuilder();
        try (BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            int port = Integer.parseInt(output.readLine().strip()); // python's line: the port it bound
            try (Socket socket = new Socket(HOST, port)) {
                socket.getOutputStream().write("hello\n".getBytes(UTF_8));
                BufferedReader answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
                assertThat(answer.readLine()).isEqualTo("echo: hello");
            }
            assertThat(finish(child, output, seen)).contains("inherited Listening")
                    .contains("serving on [/127.0.0.1:" + port + "]");
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aChildJvmTalksOverTheConnectedSocketItInherited() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            Process child = launch("talk", Integer.toString(peer.getLocalPort()));
            StringBuilder seen = new StringBuilder();
            try (BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8));
                 Socket accepted = peer.accept()) {
                BufferedReader request = new BufferedReader(new InputStreamReader(accepted.getInputStream(), UTF_8));
                String hello = request.readLine();
                accepted.getOutputStream().write(("got: " + hello + "\n").getBytes(UTF_8));
                assertThat(finish(child, output, seen)).contains("inherited Connected")
                        .contains("answer: got: hello over the inherited socket");
            } finally {
                child.destroyForcibly();
            }
        }
    }
}
