package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http-get https://} against the JDK's {@code HttpsServer} with a self-signed certificate made by
 * {@code keytool} for {@code 127.0.0.1} only: trusted with {@code --cacert}, refused without it, refused for another
 * host name, accepted with {@code --insecure}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpsGetTest {

    @TempDir
    static Path dir;
    static Path cert;
    static HttpsServer server;
    static ExecutorService executor;
    static int port;

    @BeforeAll
    static void startServer() throws Exception {
        Path keystore = dir.resolve("server.p12");
        cert = dir.resolve("server.pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass",
                "changeit", "-file", cert.toString());

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);

        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        executor = Executors.newFixedThreadPool(2);
        server.setExecutor(executor);
        server.createContext("/secret", ex -> {
            byte[] body = "over TLS\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
        executor.shutdownNow();
    }

    static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try (ChildProcess keytool = new ChildProcess(command)) {
            int code = keytool.waitFor(Duration.ofSeconds(30));
            assertThat(code).as("keytool " + args[0] + ": " + keytool.err.text() + keytool.out.text()).isZero();
        }
    }

    @Test
    void trustedWithCacert() {
        HttpGetTest.Result result = HttpGetTest.get("--cacert", cert.toString(),
                "https://127.0.0.1:" + port + "/secret");
        assertThat(result.err()).isEmpty();
        assertThat(result.code()).isZero();
        assertThat(result.outText()).isEqualTo("over TLS\n");
    }

    @Test
    void wiretapShowsThePlaintext() {
        HttpGetTest.Result result = HttpGetTest.get("--wiretap", "--cacert", cert.toString(),
                "https://127.0.0.1:" + port + "/secret");
        assertThat(result.code()).isZero();
        assertThat(result.outText()).isEqualTo("over TLS\n");
        assertThat(result.err()).contains("|GET /secret HTTP|", "|HTTP/1.1 200 OK.");
    }

    @Test
    void unknownCertificateIsATlsError() {
        HttpGetTest.Result result = HttpGetTest.get("https://127.0.0.1:" + port + "/secret");
        assertThat(result.code()).isEqualTo(HttpGet.EXIT_TLS);
        assertThat(result.err()).startsWith("http-get: TLS error: ").contains("PKIX");
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.outText()).isEmpty();
    }

    @Test
    void wrongHostNameIsATlsError() {
        // localhost is 127.0.0.1, but the certificate names only the IP address.
        HttpGetTest.Result result = HttpGetTest.get("--cacert", cert.toString(),
                "https://localhost:" + port + "/secret");
        assertThat(result.code()).isEqualTo(HttpGet.EXIT_TLS);
        assertThat(result.err()).startsWith("http-get: TLS error: ").contains("localhost");
    }

    @Test
    void insecureSkipsTheChecksWithAWarning() {
        HttpGetTest.Result result = HttpGetTest.get("-k", "https://localhost:" + port + "/secret");
        assertThat(result.code()).isZero();
        assertThat(result.outText()).isEqualTo("over TLS\n");
        assertThat(result.err()).contains("warning: --insecure");
    }

    @Test
    void badCacertFileIsReported() throws Exception {
        Path notACert = dir.resolve("not-a-cert.pem");
        Files.writeString(notACert, "hello");
        HttpGetTest.Result result = HttpGetTest.get("--cacert", notACert.toString(),
                "https://127.0.0.1:" + port + "/secret");
        assertThat(result.code()).isNotZero();
        assertThat(result.err()).startsWith("http-get: ").contains("--cacert");
    }
}
