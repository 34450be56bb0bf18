package dev.streams.examples;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.streams.StreamServer;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.ExternalProxy;
import dev.streams.netty.testing.TestProxy;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code echo-client --proxy} and {@code http-get --proxy}: through in-process SOCKS5 and HTTP CONNECT proxies (and
 * microsocks and tinyproxy when installed), to a name only the proxy resolves; https through the tunnel with the
 * target's certificate checked; a proxy's refusal is a network failure that names the proxy; a bad {@code --proxy}
 * is a usage error.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyCliTest {

    /** A name the test proxies resolve to 127.0.0.1; nothing else does. */
    private static final String NAME = "web.test";
    private static final Map<String, String> NAMES = Map.of(NAME, "127.0.0.1");

    @TempDir
    static Path dir;
    static HttpServer http;
    static StreamServer https;
    static StreamServer echo;
    static Path cacert;

    @BeforeAll
    static void servers() throws Exception {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        http.createContext("/hello", ex -> {
            byte[] body = ("hello via " + ex.getRequestHeaders().getFirst("Host") + "\n").getBytes(UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        // An HTTPS server whose certificate names only web.test: only the target's name can pass the check.
        X509Bundle certificate = new CertificateBuilder().subject("CN=" + NAME).addSanDnsName(NAME)
                .setIsCertificateAuthority(true).ecp256().buildSelfSigned();
        cacert = dir.resolve("web.pem");
        Files.writeString(cacert, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(
                        certificate.getCertificate().getEncoded()) + "\n-----END CERTIFICATE-----\n");
        https = await(NettyStreams.startBlockingServer((reader, writer) -> {
            while (await(reader.readLine()).length > 2) {
                // the request head, up to its empty line
            }
            writer.write("HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nover TLS\n"
                    .getBytes(UTF_8));
            await(writer.drain());
        }, "127.0.0.1", 0, ServerOptions.builder().sslContext(SslContextBuilder.forServer(
                certificate.getKeyPair().getPrivate(), certificate.getCertificatePath()).build()).build()));
        echo = await(NettyStreams.startBlockingServer((reader, writer) -> {
            byte[] line;
            while ((line = await(reader.readLine())).length > 0) {
                writer.write(("Эхо: " + new String(line, UTF_8)).getBytes(UTF_8));
                await(writer.drain());
            }
        }, "127.0.0.1", 0, ServerOptions.DEFAULTS));
    }

    @AfterAll
    static void stop() throws IOException {
        http.stop(0);
        https.close();
        echo.close();
        await(https.waitClosed());
        await(echo.waitClosed());
    }

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    private static String uri(TestProxy.Kind kind, String credentials, int port) {
        return (kind == TestProxy.Kind.SOCKS5 ? "socks5://" : "http://") + credentials + "127.0.0.1:" + port;
    }

    private record Run(int code, String out, String err) {
    }

    private static Run echoClient(String... args) {
        Capture out = new Capture();
        Capture err = new Capture();
        int code = EchoClient.run(args, out.stream, err.stream);
        return new Run(code, out.text(), err.text());
    }

    // ------------------------------------------------------------------------------------------------ echo-client

    @ParameterizedTest
    @EnumSource(TestProxy.Kind.class)
    void echoClientTalksThroughAProxyThatResolvesTheName(TestProxy.Kind kind) {
        try (TestProxy proxy = TestProxy.start(kind, "alice", "s3cret", NAMES)) {
            Run run = echoClient("--host", NAME, "--port", Integer.toString(port(echo)), "--proxy",
                    uri(kind, "alice:s3cret@", proxy.port()), "Привет");
            assertThat(run.err()).isEmpty();
            assertThat(run.code()).isZero();
            assertThat(run.out()).isEqualTo("Сервер ответил: Эхо: Привет\n");
            assertThat(proxy.requests).hasSize(1).allMatch(request -> request.contains(NAME));
        }
    }

    @Test
    void echoClientTalksThroughMicrosocks() throws Exception {
        try (ExternalProxy microsocks = ExternalProxy.microsocks(null, null)) {
            Run run = echoClient("--port", Integer.toString(port(echo)), "--proxy",
                    "socks5h://127.0.0.1:" + microsocks.port(), "--async", "Пока");
            assertThat(run.err()).isEmpty();
            assertThat(run.out()).isEqualTo("Сервер ответил: Эхо: Пока\n");
        }
    }

    @ParameterizedTest
    @EnumSource(TestProxy.Kind.class)
    void echoClientReportsAProxysRefusalInOneLineNamingTheProxy(TestProxy.Kind kind) {
        try (TestProxy proxy = TestProxy.start(kind, "alice", "s3cret", NAMES)) {
            Run run = echoClient("--host", NAME, "--port", Integer.toString(port(echo)), "--proxy",
                    uri(kind, "alice:wrong@", proxy.port()));
            assertThat(run.code()).isEqualTo(1);
            assertThat(run.err().lines()).hasSize(1);
            assertThat(run.err()).startsWith("echo-client: cannot connect to " + NAME + ":" + port(echo)
                            + " through " + uri(kind, "alice:***@", proxy.port()) + ": ")
                    .contains(kind == TestProxy.Kind.SOCKS5 ? "authStatus" : "407")
                    .doesNotContain("wrong");
        }
    }

    @Test
    void echoClientRefusesABadProxyAndAProxyForAUnixSocket() {
        Run bad = echoClient("--proxy", "socks4://127.0.0.1:1080");
        assertThat(bad.code()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(bad.err()).startsWith("echo-client: --proxy: proxy URI must start with socks5://");
        Run unix = echoClient("--unix", "/tmp/x.sock", "--proxy", "socks5://127.0.0.1:1080");
        assertThat(unix.code()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(unix.err()).startsWith("echo-client: --proxy reaches TCP hosts: not with --unix");
        Run noPort = echoClient("--proxy", "http://127.0.0.1");
        assertThat(noPort.err()).startsWith("echo-client: --proxy: no port in proxy URI");
    }

    @Test
    void echoClientHelpShowsTheProxyOption() {
        Run help = echoClient("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--proxy URI").contains("socks5://[user:pass@]host:port")
                .contains("http://[user:pass@]host:port");
    }

    // ------------------------------------------------------------------------------------------------ http-get

    @ParameterizedTest
    @EnumSource(TestProxy.Kind.class)
    void httpGetFetchesThroughAProxyThatResolvesTheName(TestProxy.Kind kind) {
        try (TestProxy proxy = TestProxy.start(kind, null, null, NAMES)) {
            HttpGetTest.Result result = HttpGetTest.get("--proxy", uri(kind, "", proxy.port()),
                    "http://" + NAME + ":" + http.getAddress().getPort() + "/hello");
            assertThat(result.err()).isEmpty();
            assertThat(result.code()).isZero();
            assertThat(result.outText()).isEqualTo("hello via " + NAME + ":" + http.getAddress().getPort() + "\n");
            assertThat(proxy.requests).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestProxy.Kind.class)
    void httpsThroughAProxyChecksTheTargetsCertificateAndName(TestProxy.Kind kind) {
        try (TestProxy proxy = TestProxy.start(kind, null, null, Map.of(NAME, "127.0.0.1", "other.test",
                "127.0.0.1"))) {
            HttpGetTest.Result ok = HttpGetTest.get("-x", uri(kind, "", proxy.port()), "--cacert", cacert.toString(),
                    "https://" + NAME + ":" + port(https) + "/");
            assertThat(ok.err()).isEmpty();
            assertThat(ok.code()).isZero();
            assertThat(ok.outText()).isEqualTo("over TLS\n");
            HttpGetTest.Result otherName = HttpGetTest.get("-x", uri(kind, "", proxy.port()), "--cacert",
                    cacert.toString(), "https://other.test:" + port(https) + "/");
            assertThat(otherName.code()).isEqualTo(HttpGet.EXIT_TLS);
            assertThat(otherName.err()).startsWith("http-get: TLS error: ").contains("other.test");
            HttpGetTest.Result insecure = HttpGetTest.get("-x", uri(kind, "", proxy.port()), "-k",
                    "https://other.test:" + port(https) + "/");
            assertThat(insecure.err()).contains("warning: --insecure").doesNotContain("TLS error");
            assertThat(insecure.code()).isZero();
            assertThat(insecure.outText()).isEqualTo("over TLS\n");
        }
    }

    @Test
    void httpGetFetchesThroughTinyproxy() throws Exception {
        try (ExternalProxy tinyproxy = ExternalProxy.tinyproxy(null, null)) {
            HttpGetTest.Result result = HttpGetTest.get("--proxy", "http://127.0.0.1:" + tinyproxy.port(),
                    "http://localhost:" + http.getAddress().getPort() + "/hello");
            assertThat(result.err()).isEmpty();
            assertThat(result.outText()).startsWith("hello via localhost:");
        }
    }

    @ParameterizedTest
    @EnumSource(TestProxy.Kind.class)
    void httpGetReportsAProxysRefusalAsANetworkError(TestProxy.Kind kind) {
        try (TestProxy proxy = TestProxy.start(kind, "alice", "s3cret", NAMES)) {
            HttpGetTest.Result result = HttpGetTest.get("--proxy", uri(kind, "alice:wrong@", proxy.port()),
                    "http://" + NAME + ":" + http.getAddress().getPort() + "/hello");
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_NETWORK);
            assertThat(result.err().lines()).hasSize(1);
            assertThat(result.err()).startsWith("http-get: cannot connect to " + NAME + ":"
                    + http.getAddress().getPort() + " through " + uri(kind, "alice:***@", proxy.port()))
                    .doesNotContain("wrong");
        }
    }

    @Test
    void httpGetRefusesABadProxyAndDocumentsTheOption() {
        HttpGetTest.Result bad = HttpGetTest.get("--proxy", "ftp://127.0.0.1:21", "http://127.0.0.1/");
        assertThat(bad.code()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(bad.err()).startsWith("http-get: --proxy: proxy URI must start with socks5://");
        HttpGetTest.Result help = HttpGetTest.get("--help");
        assertThat(help.outText()).contains("-x, --proxy URI").contains("socks5://[user:pass@]host:port")
                .contains("http://[user:pass@]host:port");
        assertThat(List.of(help.code())).containsExactly(0);
    }
}
