package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.examples.EchoTest.RunningServer;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code echo-server --tls} / {@code --unix} and {@code echo-client --tls} / {@code --unix}, in-process: the
 * generated certificate trusted through {@code --write-cert} and {@code --cacert}, refusals, PEM files made here,
 * and Unix domain sockets (plain and TLS).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsUnixEchoTest {

    static final List<String> CONVERSATION = List.of(
            "Сервер ответил: Эхо: Привет", "Сервер ответил: Эхо: Как дела?", "Сервер ответил: Эхо: Пока");

    @TempDir
    Path dir;

    /** The client command's exit code, stdout and stderr. */
    record Result(int code, String out, String err) {
    }

    static Result client(String... args) {
        Capture out = new Capture();
        Capture err = new Capture();
        int code = EchoClient.run(args, out.stream, err.stream);
        return new Result(code, out.text(), err.text());
    }

    static String[] args(Object... parts) {
        List<String> args = new ArrayList<>();
        for (Object part : parts) {
            args.add(String.valueOf(part));
        }
        return args.toArray(String[]::new);
    }

    @ParameterizedTest(name = "server {0}, client {1}")
    @CsvSource({"async, blocking", "blocking, async"})
    void generatedCertificateIsTrustedThroughWriteCertAndCacert(String serverStyle, String clientStyle)
            throws Exception {
        Path cert = dir.resolve("echo.pem");
        try (RunningServer server = serverStyle.equals("blocking")
                ? new RunningServer("--tls", "--write-cert", cert.toString(), "--blocking")
                : new RunningServer("--tls", "--write-cert", cert.toString())) {
            // The printed fingerprint is the written certificate's, as keytool and openssl would print it.
            String printed = server.out.await("^SHA-256 Fingerprint=([0-9A-F]{2}(?::[0-9A-F]{2}){31})$",
                    EchoTest.WAIT);
            assertThat(printed).isEqualTo(TlsSupport.fingerprint(readCertificate(cert)));
            assertThat(server.out.text()).contains("Certificate written to " + cert);

            Result result = client(clientStyle.equals("async")
                    ? args("--port", server.port, "--tls", "--cacert", cert, "--async")
                    : args("--port", server.port, "--tls", "--cacert", cert));
            assertThat(result.err()).isEmpty();
            assertThat(result.code()).isZero();
            assertThat(result.out().lines()).containsExactlyElementsOf(CONVERSATION);

            // The certificate names localhost too: checked when the client sends that name.
            result = client(args("--port", server.port, "--tls", "--cacert", cert, "--server-name", "localhost",
                    "ping"));
            assertThat(result.code()).isZero();
            assertThat(result.out()).contains("Сервер ответил: Эхо: ping");

            assertThat(server.stop()).isZero();
            assertThat(server.err.text()).isEmpty();
        }
    }

    @Test
    void clientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
        try (RunningServer server = new RunningServer("--tls")) {
            Result result = client(args("--port", server.port, "--tls"));
            assertThat(result.code()).isEqualTo(1);
            assertThat(result.out()).isEmpty();
            assertThat(result.err().lines()).hasSize(1);
            assertThat(result.err()).startsWith("echo-client: TLS handshake with 127.0.0.1:" + server.port
                    + " failed: ").contains("PKIX");
        }
    }

    @Test
    void wrongServerNameIsRefused() throws Exception {
        Path cert = dir.resolve("echo.pem");
        try (RunningServer server = new RunningServer("--tls", "--write-cert", cert.toString())) {
            Result result = client(args("--port", server.port, "--tls", "--cacert", cert,
                    "--server-name", "example.com"));
            assertThat(result.code()).isEqualTo(1);
            assertThat(result.err().lines()).hasSize(1);
            assertThat(result.err()).startsWith("echo-client: TLS handshake with 127.0.0.1:" + server.port)
                    .contains("example.com");

            // The server carries on with the next client.
            assertThat(client(args("--port", server.port, "--tls", "--cacert", cert, "again")).code()).isZero();
        }
    }

    @Test
    void certificateAndKeyFromPemFiles() throws Exception {
        // A CA and a server certificate it issued: the client trusts the CA only.
        X509Bundle ca = new CertificateBuilder().subject("CN=echo test CA").setIsCertificateAuthority(true)
                .ecp256().buildSelfSigned();
        X509Bundle leaf = new CertificateBuilder().subject("CN=127.0.0.1").addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth().rsa2048().buildIssuedBy(ca);
        Path chain = Files.writeString(dir.resolve("chain.pem"), leaf.getCertificatePathPEM());
        Path key = Files.writeString(dir.resolve("key.pem"), leaf.getPrivateKeyPEM());
        Path caPem = Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM());
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----"); // PKCS#8

        try (RunningServer server = new RunningServer("--tls", "--cert", chain.toString(), "--key",
                key.toString())) {
            assertThat(server.out.text()).doesNotContain("Fingerprint");
            Result result = client(args("--port", server.port, "--tls", "--cacert", caPem));
            assertThat(result.err()).isEmpty();
            assertThat(result.out().lines()).containsExactlyElementsOf(CONVERSATION);
            assertThat(result.code()).isZero();
        }
    }

    @Test
    void unusableCertOrKeyFileIsExitCodeTwo() throws Exception {
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        Capture out = new Capture();
        Capture err = new Capture();
        int code = EchoServer.run(args("--port", 0, "--tls", "--cert", notPem, "--key", notPem), out.stream,
                err.stream, new java.util.concurrent.CompletableFuture<>());
        assertThat(code).isEqualTo(2);
        assertThat(err.text()).startsWith("echo-server: cannot use --cert " + notPem);
        assertThat(out.text()).isEmpty();

        Result result = client(args("--tls", "--cacert", notPem));
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).startsWith("echo-client: cannot use --cacert " + notPem);
    }

    @ParameterizedTest(name = "{0} server, {1}")
    @CsvSource({"async, plain", "blocking, plain", "async, tls", "blocking, tls"})
    void unixSocketServerAndClient(String style, String security) throws Exception {
        Path socket = dir.resolve("echo.sock");
        Path cert = dir.resolve("echo.pem");
        List<String> serverArgs = new ArrayList<>(List.of("--unix", socket.toString()));
        List<String> clientArgs = new ArrayList<>(List.of("--unix", socket.toString()));
        if (style.equals("blocking")) {
            serverArgs.add("--blocking");
        }
        if (security.equals("tls")) {
            // Over a socket file the client checks the name localhost, which the generated certificate has.
            serverArgs.addAll(List.of("--tls", "--write-cert", cert.toString()));
            clientArgs.addAll(List.of("--tls", "--cacert", cert.toString()));
        }
        try (RunningServer server = new RunningServer(serverArgs.toArray(String[]::new))) {
            assertThat(server.out.text()).contains("Serving on " + socket);
            Result result = client(clientArgs.toArray(String[]::new));
            assertThat(result.err()).isEmpty();
            assertThat(result.code()).isZero();
            assertThat(result.out().lines()).containsExactlyElementsOf(CONVERSATION);
            assertThat(server.out.text()).contains("Получено: Пока");
            assertThat(server.stop()).isZero();
            assertThat(server.err.text()).isEmpty();
        }
        assertThat(socket).doesNotExist(); // the server removes its socket file
    }

    @Test
    void unixSocketWithoutServerIsExitCodeOne() {
        Path socket = dir.resolve("nobody.sock");
        Result result = client(args("--unix", socket));
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).startsWith("echo-client: ").contains(socket.toString());
    }

    static X509Certificate readCertificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void writtenCertificateIsPem() throws Exception {
        Path cert = dir.resolve("echo.pem");
        try (RunningServer server = new RunningServer("--tls", "--write-cert", cert.toString())) {
            assertThat(Files.readString(cert, StandardCharsets.US_ASCII)).startsWith("-----BEGIN CERTIFICATE-----");
            X509Certificate certificate = readCertificate(cert);
            assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
            List<Object> names = new ArrayList<>();
            certificate.getSubjectAlternativeNames().forEach(name -> names.add(name.get(1)));
            assertThat(names).containsExactlyInAnyOrder("localhost", "127.0.0.1");
        }
    }
}
