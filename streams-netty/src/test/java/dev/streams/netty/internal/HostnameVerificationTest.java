package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.TransportGroups;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ConnectOptions#hostnameVerification()}: on by default; off, a trusted certificate for another name is
 * accepted, but an untrusted one is still refused (the chain is checked), on connect and on STARTTLS, with the JDK
 * provider and with OpenSSL when it loads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostnameVerificationTest {

    private static final String HOST = "127.0.0.1";

    private static X509Bundle root;
    /** Trusted (issued by {@link #root}), but for {@code other.example} only: not the name or address connected to. */
    private static X509Bundle otherName;
    /** Self-signed for {@code 127.0.0.1}: the right name, an untrusted chain. */
    private static X509Bundle untrusted;

    @BeforeAll
    static void certificates() throws Exception {
        root = new CertificateBuilder().subject("CN=hostname test root").setIsCertificateAuthority(true)
                .ecp256().buildSelfSigned();
        otherName = new CertificateBuilder().subject("CN=other.example").addSanDnsName("other.example")
                .addExtendedKeyUsageServerAuth().ecp256().buildIssuedBy(root);
        untrusted = new CertificateBuilder().subject("CN=" + HOST).addSanIpAddress(HOST)
                .addExtendedKeyUsageServerAuth().setIsCertificateAuthority(true).ecp256().buildSelfSigned();
    }

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    static Stream<SslProvider> providers() {
        return Stream.of(SslProvider.JDK, SslProvider.OPENSSL);
    }

    private static SslProvider check(SslProvider provider) {
        if (provider == SslProvider.OPENSSL) {
            Assumptions.assumeTrue(OpenSsl.isAvailable(), () -> "OpenSSL not available: " + OpenSsl.unavailabilityCause());
        }
        return provider;
    }

    private static ConnectOptions.Builder client(SslProvider provider) throws SSLException {
        SslContext context = SslContextBuilder.forClient().trustManager(root.getCertificate())
                .sslProvider(check(provider)).build();
        return ConnectOptions.builder().eventLoopGroup(TransportGroups.group(Transport.preferred()))
                .sslContext(context);
    }

    private static StreamServer server(X509Bundle bundle, SslProvider provider, boolean tls) throws Exception {
        SslContext context = SslContextBuilder.forServer(bundle.getKeyPair().getPrivate(), bundle.getCertificatePath())
                .sslProvider(check(provider)).build();
        ServerOptions.Builder options = ServerOptions.builder()
                .eventLoopGroup(TransportGroups.group(Transport.preferred()));
        if (tls) {
            options.sslContext(context);
        }
        return await(NettyStreams.startBlockingServer((reader, writer) -> {
            if (!tls) { // STARTTLS: a plaintext line, then the handshake
                await(reader.readLine());
                await(((NettyStreamWriter) writer).startTls(context, null));
            }
            EndToEndTest.ECHO_BLOCKING.handle(reader, writer);
        }, HOST, 0, options.build()));
    }

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    private static void stop(StreamServer server) throws IOException {
        server.close();
        server.closeClients();
        await(server.waitClosed());
    }

    private static void echo(StreamConnection conn) throws IOException {
        conn.writer().write("secret\n".getBytes(UTF_8));
        assertThat(new String(await(conn.reader().readLine()), UTF_8)).isEqualTo("secret\n");
    }

    @Test
    void verificationIsOnByDefaultAndSaidInToString() {
        assertThat(ConnectOptions.DEFAULTS.hostnameVerification()).isTrue();
        ConnectOptions off = ConnectOptions.builder().hostnameVerification(false).build();
        assertThat(off.hostnameVerification()).isFalse();
        assertThat(off.toString()).contains("hostnameVerification=false (UNSAFE)");
        assertThat(off.toBuilder().build().hostnameVerification()).isFalse();
        assertThat(ConnectOptions.DEFAULTS.toString()).doesNotContain("hostnameVerification");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void theEngineOfAClientWithoutVerificationHasNoEndpointIdentification(SslProvider provider) throws Exception {
        SslContext context = SslContextBuilder.forClient().trustManager(root.getCertificate())
                .sslProvider(check(provider)).endpointIdentificationAlgorithm("HTTPS").build();
        SslHandler off = Tls.newHandler(context, ByteBufAllocator.DEFAULT, "localhost", 443,
                ConnectOptions.builder().hostnameVerification(false).build());
        SslHandler on = Tls.newHandler(context, ByteBufAllocator.DEFAULT, "localhost", 443, ConnectOptions.DEFAULTS);
        try {
            assertThat(off.engine().getSSLParameters().getEndpointIdentificationAlgorithm()).isNullOrEmpty();
            assertThat(on.engine().getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
        } finally {
            ReferenceCountUtil.release(off.engine());
            ReferenceCountUtil.release(on.engine());
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void aTrustedCertificateForAnotherNameIsRefusedByDefault(SslProvider provider) throws Exception {
        StreamServer server = server(otherName, provider, true);
        try {
            assertThatThrownBy(() -> await(NettyStreams.openConnection(HOST, port(server), client(provider).build())))
                    .isInstanceOf(SSLException.class);
        } finally {
            stop(server);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void withoutVerificationATrustedCertificateForAnotherNameIsAccepted(SslProvider provider) throws Exception {
        StreamServer server = server(otherName, provider, true);
        try (StreamConnection conn = await(NettyStreams.openConnection(HOST, port(server),
                client(provider).hostnameVerification(false).build()))) {
            echo(conn);
        } finally {
            stop(server);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void withoutVerificationAnUntrustedChainIsStillRefused(SslProvider provider) throws Exception {
        StreamServer server = server(untrusted, provider, true);
        try {
            assertThatThrownBy(() -> await(NettyStreams.openConnection(HOST, port(server),
                    client(provider).hostnameVerification(false).build())))
                    .isInstanceOf(SSLException.class);
        } finally {
            stop(server);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void startTlsOnAConnectionWithoutVerificationSkipsTheNameToo(SslProvider provider) throws Exception {
        StreamServer server = server(otherName, provider, false);
        ConnectOptions.Builder options = client(provider);
        SslContext context = options.build().sslContext();
        try (StreamConnection conn = await(NettyStreams.openConnection(HOST, port(server),
                options.sslContext(null).hostnameVerification(false).build()))) {
            conn.writer().write("STARTTLS\n".getBytes(UTF_8));
            await(((NettyStreamWriter) conn.writer()).startTls(context, null));
            echo(conn);
        } finally {
            stop(server);
        }
    }
}
