package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.BlockingClientHandler;
import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.TransportGroups;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.testing.BlockingSchedulers;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TLS over real sockets, with the JDK provider and with OpenSSL (BoringSSL) when it loads: echo, host name
 * verification, untrusted and expired certificates, TLS 1.2/1.3 only, the handshake timeout, and STARTTLS with the
 * ClientHello in the same packet as the STARTTLS line. Certificates are made here (netty-pkitesting).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsTest {

    private static final String HOST = "127.0.0.1";

    private static X509Bundle root;
    private static X509Bundle server;
    private static X509Bundle expired;
    private static X509Bundle selfSigned;
    private static X509Bundle notYetValid;
    private static X509Bundle wrongPurpose;

    @BeforeAll
    static void certificates() throws Exception {
        root = TestCertificates.root("streams test root");
        server = TestCertificates.localhost(root);
        expired = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .notBefore(Instant.now().minus(Duration.ofDays(30))).notAfter(Instant.now().minus(Duration.ofDays(1)))
                .addExtendedKeyUsageServerAuth().ecp256().buildIssuedBy(root);
        notYetValid = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .notBefore(Instant.now().plus(Duration.ofDays(1))).notAfter(Instant.now().plus(Duration.ofDays(30)))
                .addExtendedKeyUsageServerAuth().ecp256().buildIssuedBy(root);
        wrongPurpose = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .addExtendedKeyUsageClientAuth().ecp256().buildIssuedBy(root);
        selfSigned = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .setIsCertificateAuthority(true).ecp256().buildSelfSigned();
    }

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    static Stream<SslProvider> providers() {
        return Stream.of(SslProvider.JDK, SslProvider.OPENSSL);
    }

    static Stream<Arguments> providersAndSchedulers() {
        return providers().flatMap(p -> BlockingSchedulers.available().map(s -> Arguments.of(p, s)));
    }

    private static SslProvider check(SslProvider provider) {
        if (provider == SslProvider.OPENSSL) {
            Assumptions.assumeTrue(OpenSsl.isAvailable(), () -> "OpenSSL not available: " + OpenSsl.unavailabilityCause());
        }
        return provider;
    }

    private static SslContext serverContext(X509Bundle bundle, SslProvider provider) throws Exception {
        return SslContextBuilder.forServer(bundle.getKeyPair().getPrivate(), bundle.getCertificatePath())
                .sslProvider(check(provider)).build();
    }

    private static SslContext clientContext(SslProvider provider) throws Exception {
        return SslContextBuilder.forClient().trustManager(root.getCertificate()).sslProvider(check(provider)).build();
    }

    private static EventLoopGroup group() {
        return TransportGroups.group(Transport.preferred());
    }

    private static final BlockingClientHandler ECHO = EndToEndTest.ECHO_BLOCKING;

    private static StreamServer tlsServer(X509Bundle bundle, SslProvider provider) throws Exception {
        return await(NettyStreams.startBlockingServer(ECHO, HOST, 0, ServerOptions.builder()
                .eventLoopGroup(group()).sslContext(serverContext(bundle, provider)).build()));
    }

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    private static ConnectOptions.Builder client(SslProvider provider) throws Exception {
        return ConnectOptions.builder().eventLoopGroup(group()).sslContext(clientContext(provider));
    }

    @ParameterizedTest
    @MethodSource("providers")
    void echoOverTlsWithTheServersNameVerified(SslProvider provider) throws Exception {
        echoOnce(provider, client(provider).serverHostname("localhost").build(), conn -> {
            assertThat(conn.writer().sslSession()).hasValueSatisfying(
                    session -> assertThat(session.getProtocol()).isIn("TLSv1.3", "TLSv1.2"));
            assertThat(conn.writer().canWriteEof()).isFalse();
            assertThatThrownBy(() -> conn.writer().writeEof()).isInstanceOf(UnsupportedOperationException.class);
        });
    }

    @ParameterizedTest
    @MethodSource("providers")
    void anIpAddressInTheCertificateIsVerifiedToo(SslProvider provider) throws Exception {
        echoOnce(provider, client(provider).build(), conn -> { });
    }

    /** Connects to a TLS echo server with {@code options}, echoes a line, then runs {@code check}. */
    private static void echoOnce(SslProvider provider, ConnectOptions options,
                                 java.util.function.Consumer<StreamConnection> check) throws Exception {
        StreamServer server = tlsServer(TlsTest.server, provider);
        try (StreamConnection conn = await(NettyStreams.openConnection(HOST, port(server), options))) {
            conn.writer().write("secret\n".getBytes(UTF_8));
            assertThat(new String(await(conn.reader().readLine()), UTF_8)).isEqualTo("secret\n");
            check.accept(conn);
        } finally {
            stop(server);
        }
    }

    private static void stop(StreamServer server) throws IOException {
        server.close();
        server.closeClients();
        await(server.waitClosed());
    }

    @ParameterizedTest
    @MethodSource("providers")
    void aWrongHostNameIsRefused(SslProvider provider) throws Exception {
        StreamServer server = tlsServer(TlsTest.server, provider);
        try {
            assertThatThrownBy(() -> await(NettyStreams.openConnection(HOST, port(server),
                    client(provider).serverHostname("wrong.example").build())))
                    .isInstanceOf(SSLException.class);
        } finally {
            stop(server);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void untrustedExpiredNotYetValidAndWrongPurposeCertificatesAreRefused(SslProvider provider) throws Exception {
        for (X509Bundle bad : new X509Bundle[] {selfSigned, expired, notYetValid, wrongPurpose}) {
            StreamServer server = tlsServer(bad, provider);
            try {
                assertThatThrownBy(() -> await(NettyStreams.openConnection(HOST, port(server),
                        client(provider).serverHostname("localhost").build())))
                        .as(bad.getCertificate().toString()).isInstanceOf(SSLException.class);
            } finally {
                server.close();
                await(server.waitClosed());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void onlyTls12And13AreEnabled(SslProvider provider) throws Exception {
        SslContext old = SslContextBuilder.forClient().trustManager(root.getCertificate()).sslProvider(check(provider))
                .protocols("TLSv1.1").build();
        assertThatThrownBy(() -> NettyStreams.openConnection(HOST, 1, ConnectOptions.builder().eventLoopGroup(group())
                .sslContext(old).build())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither TLS 1.2 nor TLS 1.3");
        SslHandler handler = Tls.newHandler(clientContext(provider), io.netty.buffer.ByteBufAllocator.DEFAULT,
                "localhost", 443, ConnectOptions.DEFAULTS);
        try {
            // OpenSSL lists the "SSLv2Hello" hello format among protocols; it is no protocol version.
            assertThat(handler.engine().getEnabledProtocols()).filteredOn(p -> !p.equals("SSLv2Hello"))
                    .isNotEmpty().isSubsetOf("TLSv1.3", "TLSv1.2");
            assertThat(handler.engine().getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
        } finally {
            io.netty.util.ReferenceCountUtil.release(handler.engine());
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void theWrongSideOfContextIsAnArgumentError(SslProvider provider) throws Exception {
        assertThatThrownBy(() -> NettyStreams.openConnection(HOST, 1, ConnectOptions.builder()
                .sslContext(serverContext(server, provider)).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a client one");
        assertThatThrownBy(() -> NettyStreams.startServer((r, w) -> null, HOST, 0, ServerOptions.builder()
                .sslContext(clientContext(provider)).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a server one");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void aHandshakeThatNeverCompletesFailsAfterTheTimeout(SslProvider provider) throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            CompletableFuture<StreamConnection> connecting = NettyStreams.openConnection(HOST, silent.getLocalPort(),
                    client(provider).handshakeTimeout(Duration.ofMillis(300)).build());
            try (Socket accepted = silent.accept()) {
                assertThatThrownBy(() -> await(connecting)).isInstanceOf(SslHandshakeTimeoutException.class);
                assertThat(accepted.getInputStream().readAllBytes()).as("the ClientHello, then the close").isNotEmpty();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providersAndSchedulers")
    void startTlsHandsTheBufferedClientHelloToTls(SslProvider provider, BlockingScheduler scheduler)
            throws Exception {
        SslContext serverContext = serverContext(server, provider);
        AtomicInteger bufferedAtStartTls = new AtomicInteger(-1);
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            assertThat(new String(await(reader.readLine()), UTF_8)).isEqualTo("STARTTLS\n");
            bufferedAtStartTls.set(((ByteBufStreamReader) reader).buffered());
            await(((NettyStreamWriter) writer).startTls(serverContext, null));
            ECHO.handle(reader, writer);
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(group()).blockingScheduler(scheduler).build()));
        Channel channel = null;
        try {
            // A client that puts "STARTTLS\n" and its ClientHello in one write: the line is queued unflushed in
            // front of the SslHandler, whose handshake flushes both together.
            channel = new Bootstrap().group(group()).channel(Transport.of(group()).socketChannel())
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                        }
                    }).connect(HOST, port(server)).sync().channel();
            SslHandler ssl = Tls.newHandler(clientContext(provider), channel.alloc(), "localhost", port(server),
                    ConnectOptions.DEFAULTS);
            Channel ch = channel;
            ch.eventLoop().submit(() -> {
                ch.write(Unpooled.copiedBuffer("STARTTLS\n", UTF_8));
                ch.pipeline().addLast(ssl);
            }).sync();
            StreamConnection conn = NettyStreams.attach(ch);
            assertThat(ssl.handshakeFuture().await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ssl.handshakeFuture().isSuccess()).as("%s", ssl.handshakeFuture().cause()).isTrue();
            conn.writer().write("over tls\n".getBytes(UTF_8));
            assertThat(new String(await(conn.reader().readLine()), UTF_8)).isEqualTo("over tls\n");
            assertThat(bufferedAtStartTls.get()).as("bytes of the ClientHello buffered with the line").isPositive();
            conn.close();
        } finally {
            if (channel != null) {
                channel.close().sync();
            }
            stop(server);
        }
    }

    /** Async (null) and blocking on each scheduler this JVM has. */
    static Stream<Arguments> styles() {
        return Stream.concat(Stream.of(Arguments.of((Object) null)), BlockingSchedulers.available().map(Arguments::of));
    }

    @ParameterizedTest
    @MethodSource("styles")
    void whatIsWrittenRightAfterStartTlsIsEncrypted(BlockingScheduler scheduler) throws Exception {
        SslContext serverContext = serverContext(server, SslProvider.JDK);
        byte[] plain = "plain\n".getBytes(UTF_8);
        byte[] secret = "SECRET\n".getBytes(UTF_8);
        ServerOptions options = ServerOptions.builder().eventLoopGroup(group()).blockingScheduler(scheduler == null
                ? BlockingScheduler.AUTO : scheduler).build();
        // The server writes, starts TLS and writes again without waiting: the second write must go through TLS.
        StreamServer server = await(scheduler == null
                ? NettyStreams.startServer((reader, writer) -> reader.readLine().thenCompose(line -> {
                    writer.write(plain);
                    CompletableFuture<Void> tls = ((NettyStreamWriter) writer).startTls(serverContext, null);
                    writer.write(secret);
                    return tls.thenCompose(v -> writer.drain());
                }), HOST, 0, options)
                : NettyStreams.startBlockingServer((reader, writer) -> {
                    await(reader.readLine());
                    writer.write(plain);
                    CompletableFuture<Void> tls = ((NettyStreamWriter) writer).startTls(serverContext, null);
                    writer.write(secret);
                    await(tls);
                    await(writer.drain());
                }, HOST, 0, options));
        try (Socket raw = new Socket(HOST, port(server))) {
            raw.getOutputStream().write("STARTTLS\n".getBytes(UTF_8));
            assertThat(raw.getInputStream().readNBytes(plain.length)).as("in plaintext").isEqualTo(plain);
            SSLContext trusting = SSLContext.getInstance("TLS");
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("root", root.getCertificate());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            trusting.init(null, trust.getTrustManagers(), null);
            try (SSLSocket tls = (SSLSocket) trusting.getSocketFactory()
                    .createSocket(raw, "localhost", port(server), true)) {
                tls.startHandshake(); // fails on plaintext bytes where the server's first TLS record should be
                assertThat(tls.getInputStream().readNBytes(secret.length)).as("through TLS").isEqualTo(secret);
            }
        } finally {
            stop(server);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void startTlsTwiceIsRefused(SslProvider provider) throws Exception {
        StreamServer server = tlsServer(TlsTest.server, provider);
        try (StreamConnection conn = await(NettyStreams.openConnection(HOST, port(server),
                client(provider).serverHostname("localhost").build()))) {
            assertThatThrownBy(() -> await(((NettyStreamWriter) conn.writer()).startTls(clientContext(provider),
                    "localhost")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already");
        } finally {
            stop(server);
        }
    }

}
