package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.TransportGroups;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A peer's EOF in the middle of a TLS handshake fails the handshake at once, on both sides, instead of leaving the
 * connection until the handshake timeout (half-closure is allowed, so the channel stays open after EOF). A proxy that
 * loses the client's alert in a reset shows exactly this to the server. The handshake timeout here is ten minutes, so
 * only the EOF can end these connections within the test's time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandshakeEofTest {

    private static final String HOST = "127.0.0.1";
    private static final Duration FOREVER = Duration.ofMinutes(10);

    private static X509Bundle certificate;

    @BeforeAll
    static void certificate() throws Exception {
        certificate = new CertificateBuilder().subject("CN=localhost").addSanIpAddress(HOST)
                .setIsCertificateAuthority(true).ecp256().buildSelfSigned();
    }

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aServerClosesAConnectionWhosePeerSentEofBeforeTheHandshakeWasDone(Transport transport) throws Exception {
        StreamServer server = await(NettyStreams.startServer((reader, writer) -> CompletableFuture.completedFuture(null),
                HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport))
                        .handshakeTimeout(FOREVER).sslContext(SslContextBuilder.forServer(
                                certificate.getKeyPair().getPrivate(), certificate.getCertificatePath()).build())
                        .build()));
        try (Socket socket = new Socket(HOST, ((InetSocketAddress) server.localAddresses().get(0)).getPort())) {
            socket.shutdownOutput(); // no ClientHello, just EOF
            assertThat(socket.getInputStream().read()).isEqualTo(-1); // the server closed: no handshake to wait for
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aClientFailsAtOnceWhenTheServerSendsEofDuringTheHandshake(Transport transport) throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            CompletableFuture<?> connecting = NettyStreams.openConnection(HOST, peer.getLocalPort(),
                    ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).handshakeTimeout(FOREVER)
                            .sslContext(SslContextBuilder.forClient().trustManager(certificate.getCertificate())
                                    .build()).build());
            try (Socket accepted = peer.accept()) {
                accepted.shutdownOutput(); // reads the ClientHello never; says EOF
                assertThatThrownBy(() -> await(connecting))
                        .isInstanceOfAny(SSLHandshakeException.class, ClosedChannelException.class);
            }
        }
    }
}
