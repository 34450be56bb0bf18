package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamServer;
import dev.streams.netty.NettyStreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.StreamOptions;
import dev.streams.netty.testing.TransportGroups;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.X509Bundle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a TLS client can do to a server of ours: renegotiate (TLS 1.2) — refused, with the JDK provider and with
 * OpenSSL, whether asked by the JDK's own {@code SSLSocket} (also after a server's STARTTLS) or by
 * {@code openssl s_client}'s {@code R} command (skipped when openssl is not installed); and leave in the middle of the handshake — the server lets go of the
 * connection at once instead of at the handshake timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsServerAbuseTest {

    private static final String HOST = "127.0.0.1";
    private static final long HANG_SECONDS = 30;
    private static final String REFUSED = "client-initiated TLS renegotiation refused";

    private static X509Bundle root;
    private static X509Bundle server;

    @BeforeAll
    static void certificates() throws Exception {
        root = TestCertificates.root("streams test root");
        server = TestCertificates.localhost(root);
    }

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    static Stream<SslProvider> providers() {
        return Stream.of(SslProvider.JDK, SslProvider.OPENSSL);
    }

    /** A TLS echo server; {@code ended} completes with the failure that ended a handler's reads (null at EOF). */
    private static StreamServer echoServer(SslProvider provider, Duration handshakeTimeout,
                                           CompletableFuture<Throwable> ended) throws Exception {
        if (provider == SslProvider.OPENSSL) {
            Assumptions.assumeTrue(OpenSsl.isAvailable(), () -> "OpenSSL not available: "
                    + OpenSsl.unavailabilityCause());
        }
        return await(NettyStreams.startBlockingServer((reader, writer) -> {
            try {
                byte[] line;
                while ((line = await(reader.readLine())).length > 0) {
                    writer.write(line);
                    await(writer.drain());
                }
                ended.complete(null);
            } catch (IOException e) {
                ended.complete(e);
            }
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(Transport.preferred()))
                .handshakeTimeout(handshakeTimeout)
                .sslContext(SslContextBuilder.forServer(server.getKeyPair().getPrivate(), server.getCertificatePath())
                        .sslProvider(provider).build()).build()));
    }

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    private static void stop(StreamServer server) throws IOException {
        server.close();
        server.abortClients();
        await(server.waitClosed());
    }

    private static Throwable within(CompletableFuture<Throwable> future) throws Exception {
        return future.get(HANG_SECONDS, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void aRenegotiationByTheJdksSslSocketIsRefusedAndTheConnectionClosed(SslProvider provider) throws Exception {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        StreamServer echo = echoServer(provider, StreamOptions.DEFAULT_HANDSHAKE_TIMEOUT, ended);
        try (SSLSocket socket = tls12Socket(port(echo))) {
            assertRenegotiationRefused(socket, ended);
        } finally {
            stop(echo);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void aRenegotiationAfterStartTlsOnAServerIsRefusedToo(SslProvider provider) throws Exception {
        if (provider == SslProvider.OPENSSL) {
            Assumptions.assumeTrue(OpenSsl.isAvailable(), "OpenSSL not available");
        }
        SslContext serverContext = SslContextBuilder.forServer(server.getKeyPair().getPrivate(),
                server.getCertificatePath()).sslProvider(provider).build();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        StreamServer plain = await(NettyStreams.startBlockingServer((reader, writer) -> {
            try {
                assertThat(new String(await(reader.readLine()), UTF_8)).isEqualTo("STARTTLS\n");
                writer.write("GO\n".getBytes(UTF_8));
                await(((NettyStreamWriter) writer).startTls(serverContext, null));
                byte[] line;
                while ((line = await(reader.readLine())).length > 0) {
                    writer.write(line);
                    await(writer.drain());
                }
                ended.complete(null);
            } catch (IOException e) {
                ended.complete(e);
            }
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(Transport.preferred())).build()));
        try (Socket raw = new Socket(HOST, port(plain))) {
            raw.setSoTimeout((int) TimeUnit.SECONDS.toMillis(HANG_SECONDS));
            raw.getOutputStream().write("STARTTLS\n".getBytes(UTF_8));
            byte[] go = raw.getInputStream().readNBytes(3); // "GO\n", then TLS
            assertThat(new String(go, UTF_8)).isEqualTo("GO\n");
            try (SSLSocket socket = (SSLSocket) trustingRoot().getSocketFactory().createSocket(raw, HOST,
                    raw.getPort(), true)) {
                socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                socket.startHandshake();
                assertRenegotiationRefused(socket, ended);
            }
        } finally {
            stop(plain);
        }
    }

    /** Echoes a line over {@code socket}, renegotiates, and checks that the server closed with the refusal. */
    private static void assertRenegotiationRefused(SSLSocket socket, CompletableFuture<Throwable> ended)
            throws Exception {
        OutputStream out = socket.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
        out.write("hello\n".getBytes(UTF_8));
        out.flush();
        assertThat(in.readLine()).isEqualTo("hello");
        assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
        socket.startHandshake(); // sends a new ClientHello: a renegotiation
        String answer;
        try {
            out.write("after\n".getBytes(UTF_8));
            out.flush();
            answer = in.readLine(); // null: the server closed
        } catch (IOException closedByTheServer) {
            answer = null;
        }
        assertThat(answer).as("no echo after the renegotiation").isNull();
        assertThat(within(ended)).as("the server's reader failed with the refusal")
                .isInstanceOf(SSLHandshakeException.class).hasMessage(REFUSED);
    }

    /** A JDK client context that trusts the test root. */
    private static SSLContext trustingRoot() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("root", root.getCertificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** A JDK client socket limited to TLS 1.2 that trusts the test root, handshake done. */
    private static SSLSocket tls12Socket(int port) throws Exception {
        SSLSocket socket = (SSLSocket) trustingRoot().getSocketFactory().createSocket(HOST, port);
        socket.setEnabledProtocols(new String[] {"TLSv1.2"});
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(HANG_SECONDS));
        socket.startHandshake();
        return socket;
    }

    @ParameterizedTest
    @MethodSource("providers")
    void aRenegotiationByOpensslSClientIsRefusedAndTheConnectionClosed(SslProvider provider) throws Exception {
        Assumptions.assumeTrue(opensslInstalled(), "openssl is not installed (Debian: apt-get install openssl)");
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        StreamServer echo = echoServer(provider, StreamOptions.DEFAULT_HANDSHAKE_TIMEOUT, ended);
        Path rootPem = Files.createTempFile("renegotiation-root", ".pem");
        Process client = null;
        try {
            Files.writeString(rootPem, root.getCertificatePEM());
            client = new ProcessBuilder("openssl", "s_client", "-connect", HOST + ":" + port(echo), "-tls1_2",
                    "-CAfile", rootPem.toString(), "-servername", "localhost").redirectErrorStream(true).start();
            LinkedBlockingQueue<String> lines = lines(client.getInputStream());
            OutputStream commands = client.getOutputStream();
            commands.write("hello\n".getBytes(UTF_8));
            commands.flush();
            awaitLine(lines, "hello"); // the echo: connected, handshake done
            commands.write("R\n".getBytes(UTF_8)); // s_client's renegotiate command
            commands.flush();
            awaitLine(lines, "RENEGOTIATING");
            assertThat(within(ended)).as("the server's reader failed with the refusal")
                    .isInstanceOf(SSLHandshakeException.class).hasMessage(REFUSED);
            assertThat(client.waitFor(HANG_SECONDS, TimeUnit.SECONDS)).as("s_client ends: the server closed")
                    .isTrue();
        } finally {
            if (client != null) {
                client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(rootPem);
            stop(echo);
        }
    }

    private static boolean opensslInstalled() {
        try {
            Process version = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            version.getInputStream().readAllBytes();
            return version.waitFor(HANG_SECONDS, TimeUnit.SECONDS) && version.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The lines of {@code in}, as they come, from a daemon thread. */
    private static LinkedBlockingQueue<String> lines(InputStream in) {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "s_client-output");
        pump.setDaemon(true);
        pump.start();
        return lines;
    }

    private static void awaitLine(LinkedBlockingQueue<String> lines, String wanted) throws InterruptedException {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_SECONDS);
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("s_client did not print \"" + wanted + "\"; it printed:\n" + seen);
            }
            seen.append(line).append('\n');
            if (line.trim().equals(wanted)) {
                return;
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void aClientThatLeavesDuringTheHandshakeIsLetGoAtOnceNotAtTheHandshakeTimeout(SslProvider provider)
            throws Exception {
        StreamServer echo = echoServer(provider, Duration.ofMinutes(10), new CompletableFuture<>());
        try {
            for (byte[] sent : List.of(new byte[0], new byte[] {22, 3, 1, 0, 100, 1})) { // nothing; half a hello
                try (Socket socket = new Socket(HOST, port(echo))) {
                    socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(HANG_SECONDS));
                    socket.getOutputStream().write(sent);
                    socket.shutdownOutput(); // FIN: the server reads EOF in the middle of the handshake
                    assertThat(socket.getInputStream().read()).as("the server closes").isEqualTo(-1);
                }
            }
            echo.close();
            await(echo.waitClosed(), Duration.ofSeconds(HANG_SECONDS)); // every connection gone
            assertThat(((NettyStreamServer) echo).clientCount()).isZero();
        } finally {
            stop(echo);
        }
    }
}
