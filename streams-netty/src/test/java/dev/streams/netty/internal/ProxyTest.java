package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.Endpoint;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ProxyOptions;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.ExternalProxy;
import dev.streams.netty.testing.TestProxy;
import dev.streams.netty.testing.TransportGroups;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.netty.resolver.NoopAddressResolverGroup;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Connections through proxies: in-process SOCKS5 and HTTP CONNECT proxies (Netty's codecs, so CI always covers the
 * path) on epoll and NIO, and the real {@code microsocks} and {@code tinyproxy} when they are installed. Echo through
 * the tunnel, names resolved by the proxy, credentials, wrong credentials, a refused target, a silent proxy, and TLS
 * through the tunnel with the target's name verified.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyTest {

    private static final String HOST = "127.0.0.1";
    /** A name that only the test proxies resolve (to 127.0.0.1); the local resolver does not know it. */
    private static final String ONLY_THE_PROXY_KNOWS = "echo.test";
    private static final Map<String, String> NAMES = Map.of(ONLY_THE_PROXY_KNOWS, HOST, "other.test", HOST);
    /** 127.0.0.1 and whatever "localhost" is here (a real proxy resolves it, and may pick ::1), one port. */
    private static final Endpoint LOOPBACK = Endpoint.tcp(0, HOST, "localhost");

    private static X509Bundle root;
    private static X509Bundle echoTestCertificate;
    private static StreamServer echo;
    private static StreamServer tlsEcho;

    @BeforeAll
    static void servers() throws Exception {
        root = new CertificateBuilder().subject("CN=streams proxy test root").setIsCertificateAuthority(true)
                .ecp256().buildSelfSigned();
        // Only the name: verification against the proxy's or the target's IP address would fail.
        echoTestCertificate = new CertificateBuilder().subject("CN=" + ONLY_THE_PROXY_KNOWS)
                .addSanDnsName(ONLY_THE_PROXY_KNOWS).addExtendedKeyUsageServerAuth().ecp256().buildIssuedBy(root);
        echo = await(NettyStreams.startBlockingServer(EndToEndTest.ECHO_BLOCKING, LOOPBACK, ServerOptions.DEFAULTS));
        SslContext serverTls = SslContextBuilder.forServer(echoTestCertificate.getKeyPair().getPrivate(),
                echoTestCertificate.getCertificatePath()).build();
        tlsEcho = await(NettyStreams.startBlockingServer(EndToEndTest.ECHO_BLOCKING, HOST, 0,
                ServerOptions.builder().sslContext(serverTls).build()));
    }

    @AfterAll
    static void shutdown() throws IOException {
        echo.close();
        tlsEcho.close();
        await(echo.waitClosed());
        await(tlsEcho.waitClosed());
        TransportGroups.shutdown();
    }

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    private static ConnectOptions.Builder via(Transport transport, ProxyOptions proxy) {
        return ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).proxy(proxy);
    }

    private static ProxyOptions proxy(TestProxy.Kind kind, int port, String user, String password) {
        if (kind == TestProxy.Kind.SOCKS5) {
            return user == null ? ProxyOptions.socks5(HOST, port) : ProxyOptions.socks5(HOST, port, user, password);
        }
        return user == null ? ProxyOptions.http(HOST, port) : ProxyOptions.http(HOST, port, user, password);
    }

    private static void echoThrough(String host, int port, ConnectOptions options) throws IOException {
        try (StreamConnection connection = await(NettyStreams.openConnection(host, port, options))) {
            for (String message : List.of("Привет\n", "through the tunnel\n")) {
                connection.writer().write(message.getBytes(UTF_8));
                await(connection.writer().drain());
                assertThat(new String(await(connection.reader().readLine()), UTF_8)).isEqualTo(message);
            }
            connection.writer().close();
            await(connection.writer().waitClosed());
        }
    }

    private static SslContext clientTls() throws Exception {
        return SslContextBuilder.forClient().trustManager(root.getCertificate()).build();
    }

    /** A port where nothing listens (bound, then closed). */
    private static int deadPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    // ------------------------------------------------------------------------------------------ in-process proxies

    static List<Object[]> kindsAndTransports() {
        return List.of(new Object[] {TestProxy.Kind.SOCKS5, Transport.EPOLL},
                new Object[] {TestProxy.Kind.SOCKS5, Transport.NIO},
                new Object[] {TestProxy.Kind.HTTP, Transport.EPOLL},
                new Object[] {TestProxy.Kind.HTTP, Transport.NIO});
    }

    @ParameterizedTest
    @MethodSource("kindsAndTransports")
    void echoGoesThroughTheProxyWhichResolvesTheTargetsName(TestProxy.Kind kind, Transport transport)
            throws Exception {
        try (TestProxy proxy = TestProxy.start(kind, null, null, NAMES)) {
            echoThrough(ONLY_THE_PROXY_KNOWS, port(echo), via(transport, proxy(kind, proxy.port(), null, null))
                    .build());
            assertThat(proxy.requests).containsExactly(kind == TestProxy.Kind.SOCKS5
                    ? "DOMAIN " + ONLY_THE_PROXY_KNOWS + ":" + port(echo)
                    : "CONNECT " + ONLY_THE_PROXY_KNOWS + ":" + port(echo));
        }
    }

    @ParameterizedTest
    @EnumSource(TestProxy.Kind.class)
    void anIpLiteralIsSentAsAnAddress(TestProxy.Kind kind) throws Exception {
        try (TestProxy proxy = TestProxy.start(kind, null, null, NAMES)) {
            echoThrough(HOST, port(echo), via(Transport.preferred(), proxy(kind, proxy.port(), null, null)).build());
            assertThat(proxy.requests).containsExactly(kind == TestProxy.Kind.SOCKS5
                    ? "IPv4 " + HOST + ":" + port(echo) : "CONNECT " + HOST + ":" + port(echo));
        }
    }

    @ParameterizedTest
    @MethodSource("kindsAndTransports")
    void credentialsAreSentAndAccepted(TestProxy.Kind kind, Transport transport) throws Exception {
        try (TestProxy proxy = TestProxy.start(kind, "alice", "s3cret:é", NAMES)) {
            echoThrough(ONLY_THE_PROXY_KNOWS, port(echo),
                    via(transport, proxy(kind, proxy.port(), "alice", "s3cret:é")).build());
            assertThat(proxy.credentials).isNotEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("kindsAndTransports")
    void wrongCredentialsFailTheConnectionWithTheProxysReply(TestProxy.Kind kind, Transport transport)
            throws Exception {
        try (TestProxy proxy = TestProxy.start(kind, "alice", "s3cret", NAMES)) {
            ConnectOptions options = via(transport, proxy(kind, proxy.port(), "alice", "wrong")).build();
            assertThatThrownBy(() -> await(NettyStreams.openConnection(ONLY_THE_PROXY_KNOWS, port(echo), options)))
                    .isInstanceOf(ProxyConnectException.class).isInstanceOf(ConnectException.class)
                    .hasMessageContaining(kind == TestProxy.Kind.SOCKS5 ? "authStatus: FAILURE"
                            : "407 Proxy Authentication Required")
                    .hasMessageContaining(ONLY_THE_PROXY_KNOWS);
        }
    }

    @ParameterizedTest
    @EnumSource(TestProxy.Kind.class)
    void noCredentialsForAProxyThatWantsThemFails(TestProxy.Kind kind) throws Exception {
        try (TestProxy proxy = TestProxy.start(kind, "alice", "s3cret", NAMES)) {
            ConnectOptions options = via(Transport.preferred(), proxy(kind, proxy.port(), null, null)).build();
            assertThatThrownBy(() -> await(NettyStreams.openConnection(ONLY_THE_PROXY_KNOWS, port(echo), options)))
                    .isInstanceOf(ProxyConnectException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("kindsAndTransports")
    void aRefusedTargetFailsTheConnectionWithTheProxysReply(TestProxy.Kind kind, Transport transport)
            throws Exception {
        int dead = deadPort();
        try (TestProxy proxy = TestProxy.start(kind, null, null, NAMES)) {
            ConnectOptions options = via(transport, proxy(kind, proxy.port(), null, null)).build();
            assertThatThrownBy(() -> await(NettyStreams.openConnection(ONLY_THE_PROXY_KNOWS, dead, options)))
                    .isInstanceOf(ProxyConnectException.class)
                    .hasMessageContaining(kind == TestProxy.Kind.SOCKS5 ? "CONNECTION_REFUSED" : "502 Bad Gateway");
        }
    }

    @Test
    void aRefusedProxyFailsAsAnyRefusedConnection() throws Exception {
        ConnectOptions options = via(Transport.preferred(), ProxyOptions.socks5(HOST, deadPort())).build();
        assertThatThrownBy(() -> await(NettyStreams.openConnection(ONLY_THE_PROXY_KNOWS, port(echo), options)))
                .isInstanceOf(ConnectException.class).isNotInstanceOf(ProxyConnectException.class);
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aSilentProxyFailsAfterTheConnectTimeout(Transport transport) throws Exception {
        // Accepts (from the backlog) but never answers.
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getByName(HOST))) {
            ConnectOptions options = via(transport, ProxyOptions.socks5(HOST, silent.getLocalPort()))
                    .connectTimeout(Duration.ofMillis(300)).build();
            assertThatThrownBy(() -> await(NettyStreams.openConnection(ONLY_THE_PROXY_KNOWS, port(echo), options)))
                    .isInstanceOf(ProxyConnectException.class).hasMessageEndingWith("timeout");
        }
    }

    @ParameterizedTest
    @MethodSource("kindsAndTransports")
    void aProxyThatHangsUpWithoutAnsweringFailsTheConnectionAtOnce(TestProxy.Kind kind, Transport transport)
            throws Exception {
        // Half-closure is allowed, so the proxy's EOF alone does not close the channel; the connect timeout is far
        // beyond the test's, so only noticing the EOF ends this.
        try (ServerSocket rude = new ServerSocket(0, 10, InetAddress.getByName(HOST))) {
            ConnectOptions options = via(transport, proxy(kind, rude.getLocalPort(), null, null))
                    .connectTimeout(Duration.ofMinutes(10)).build();
            CompletableFuture<StreamConnection> connecting = NettyStreams.openConnection(ONLY_THE_PROXY_KNOWS,
                    port(echo), options);
            try (Socket accepted = rude.accept()) {
                accepted.shutdownOutput();
                assertThatThrownBy(() -> await(connecting)).isInstanceOf(ProxyConnectException.class)
                        .hasMessageContaining("disconnected");
            }
        }
    }

    @Test
    void theProxysHandshakeGetsWhatIsLeftOfTheConnectTimeout() throws Exception {
        // Netty's own default is 10 s; with a 2 minute budget the proxy's handshake must get what is left of it.
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getByName(HOST))) {
            InetSocketAddress proxyAddress = new InetSocketAddress(HOST, silent.getLocalPort());
            AtomicReference<ProxyHandler> handler = new AtomicReference<>();
            Channel channel = new Bootstrap().group(TransportGroups.group(Transport.NIO))
                    .channel(NioSocketChannel.class).resolver(NoopAddressResolverGroup.INSTANCE)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            Proxies.addHandler(ch, ProxyOptions.socks5(HOST, silent.getLocalPort()), proxyAddress,
                                    TimeUnit.MINUTES.toMillis(2));
                            handler.set(ch.pipeline().get(ProxyHandler.class));
                        }
                    })
                    .connect(InetSocketAddress.createUnresolved(ONLY_THE_PROXY_KNOWS, 7)).sync().channel();
            try {
                // channelActive ran in the event-loop task that completed the connection: a later task sees it.
                long timeout = channel.eventLoop().submit(() -> handler.get().connectTimeoutMillis()).get();
                assertThat(timeout).isGreaterThan(TimeUnit.SECONDS.toMillis(10))
                        .isLessThanOrEqualTo(TimeUnit.MINUTES.toMillis(2));
            } finally {
                channel.close().sync();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kindsAndTransports")
    void tlsRunsThroughTheTunnelWithTheTargetsNameVerified(TestProxy.Kind kind, Transport transport)
            throws Exception {
        try (TestProxy proxy = TestProxy.start(kind, null, null, NAMES)) {
            ConnectOptions options = via(transport, proxy(kind, proxy.port(), null, null)).sslContext(clientTls())
                    .build();
            try (StreamConnection connection = await(NettyStreams.openConnection(ONLY_THE_PROXY_KNOWS,
                    port(tlsEcho), options))) {
                assertThat(connection.writer().sslSession()).isPresent();
                connection.writer().write("secret\n".getBytes(UTF_8));
                assertThat(await(connection.reader().readLine())).isEqualTo("secret\n".getBytes(UTF_8));
                // The socket's peer is the proxy.
                assertThat(((InetSocketAddress) connection.writer().remoteAddress()).getPort())
                        .isEqualTo(proxy.port());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestProxy.Kind.class)
    void tlsThroughTheTunnelRefusesACertificateForAnotherName(TestProxy.Kind kind) throws Exception {
        try (TestProxy proxy = TestProxy.start(kind, null, null, NAMES)) {
            ConnectOptions options = via(Transport.preferred(), proxy(kind, proxy.port(), null, null))
                    .sslContext(clientTls()).build();
            assertThatThrownBy(() -> await(NettyStreams.openConnection("other.test", port(tlsEcho), options)))
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void aProxyWithAUnixEndpointIsRefused() {
        ConnectOptions options = ConnectOptions.builder().proxy(ProxyOptions.socks5(HOST, 1080)).build();
        assertThatThrownBy(() -> NettyStreams.openConnection(Endpoint.unix(Path.of("/tmp/x.sock")), options))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("proxy");
    }

    // ------------------------------------------------------------------------------------------ real proxies

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void microsocksCarriesTheEcho(Transport transport) throws Exception {
        try (ExternalProxy microsocks = ExternalProxy.microsocks(null, null)) {
            echoThrough("localhost", port(echo), via(transport, ProxyOptions.socks5(HOST, microsocks.port()))
                    .build());
        }
    }

    @Test
    void microsocksWithCredentialsAcceptsTheRightOnesAndRefusesWrongOnes() throws Exception {
        try (ExternalProxy microsocks = ExternalProxy.microsocks("alice", "s3cret")) {
            echoThrough(HOST, port(echo), via(Transport.preferred(),
                    ProxyOptions.parse("socks5://alice:s3cret@127.0.0.1:" + microsocks.port())).build());
            ConnectOptions wrong = via(Transport.preferred(),
                    ProxyOptions.socks5(HOST, microsocks.port(), "alice", "wrong")).build();
            assertThatThrownBy(() -> await(NettyStreams.openConnection(HOST, port(echo), wrong)))
                    .isInstanceOf(ProxyConnectException.class).hasMessageContaining("authStatus: "); // microsocks: 2
        }
    }

    @Test
    void microsocksReportsARefusedTarget() throws Exception {
        int dead = deadPort();
        try (ExternalProxy microsocks = ExternalProxy.microsocks(null, null)) {
            ConnectOptions options = via(Transport.preferred(), ProxyOptions.socks5(HOST, microsocks.port())).build();
            assertThatThrownBy(() -> await(NettyStreams.openConnection(HOST, dead, options)))
                    .isInstanceOf(ProxyConnectException.class).hasMessageContaining("CONNECTION_REFUSED");
        }
    }

    @Test
    void tlsThroughMicrosocksVerifiesTheTargetsName() throws Exception {
        // microsocks resolves the name itself: "localhost", whose certificate this is not.
        X509Bundle localhost = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .addExtendedKeyUsageServerAuth().ecp256().buildIssuedBy(root);
        StreamServer server = await(NettyStreams.startBlockingServer(EndToEndTest.ECHO_BLOCKING, LOOPBACK,
                ServerOptions.builder().sslContext(SslContextBuilder.forServer(localhost.getKeyPair().getPrivate(),
                        localhost.getCertificatePath()).build()).build()));
        try (ExternalProxy microsocks = ExternalProxy.microsocks(null, null)) {
            ConnectOptions options = via(Transport.preferred(), ProxyOptions.socks5(HOST, microsocks.port()))
                    .sslContext(clientTls()).build();
            echoThrough("localhost", port(server), options);
            assertThatThrownBy(() -> await(NettyStreams.openConnection(HOST, port(server), options)))
                    .isInstanceOf(SSLHandshakeException.class); // no IP address in the certificate
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void tinyproxyCarriesTheEcho(Transport transport) throws Exception {
        try (ExternalProxy tinyproxy = ExternalProxy.tinyproxy(null, null)) {
            echoThrough("localhost", port(echo), via(transport, ProxyOptions.http(HOST, tinyproxy.port())).build());
        }
    }

    @Test
    void tinyproxyWithBasicAuthAcceptsTheRightCredentialsAndAnswers407ToWrongOnes() throws Exception {
        try (ExternalProxy tinyproxy = ExternalProxy.tinyproxy("alice", "s3cret")) {
            echoThrough(HOST, port(echo), via(Transport.preferred(),
                    ProxyOptions.parse("http://alice:s3cret@127.0.0.1:" + tinyproxy.port())).build());
            ConnectOptions wrong = via(Transport.preferred(),
                    ProxyOptions.http(HOST, tinyproxy.port(), "alice", "wrong")).build();
            assertThatThrownBy(() -> await(NettyStreams.openConnection(HOST, port(echo), wrong)))
                    .isInstanceOf(ProxyConnectException.class)
                    .hasMessageMatching(".*status: 40[17] .*"); // tinyproxy 1.11 answers 401, not 407
        }
    }

    @Test
    void tlsThroughTinyproxyVerifiesTheTargetsName() throws Exception {
        X509Bundle localhost = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .addExtendedKeyUsageServerAuth().ecp256().buildIssuedBy(root);
        StreamServer server = await(NettyStreams.startBlockingServer(EndToEndTest.ECHO_BLOCKING, LOOPBACK,
                ServerOptions.builder().sslContext(SslContextBuilder.forServer(localhost.getKeyPair().getPrivate(),
                        localhost.getCertificatePath()).build()).build()));
        try (ExternalProxy tinyproxy = ExternalProxy.tinyproxy(null, null)) {
            echoThrough("localhost", port(server), via(Transport.preferred(),
                    ProxyOptions.http(HOST, tinyproxy.port())).sslContext(clientTls()).build());
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }
}
