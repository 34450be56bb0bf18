package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A mistake on the command line is exit code 2 and one plain sentence (never an exception's class name), the same
 * in every command; and {@code echo-client} does not wait for ever for a server that does not answer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandLineMistakesTest {

    @TempDir
    static Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        Capture out = new Capture();
        Capture err = new Capture();
        int code = Main.run(args, out.stream, err.stream);
        return new Run(code, out.text(), err.text());
    }

    /** Exit 2, nothing on stdout, and a first line on stderr that is a sentence, not a stack trace or a type. */
    static String usageError(Run run) {
        assertThat(run.code()).as(run.err()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(run.out()).isEmpty();
        String first = run.err().lines().findFirst().orElse("");
        assertThat(first).doesNotContainPattern("[A-Za-z]+(Exception|Error)\\b").doesNotContain("java.", "\tat ");
        return first;
    }

    @Test
    void aPortOutOfRangeInTheUrl() {
        assertThat(usageError(run("http-get", "http://127.0.0.1:70000/")))
                .isEqualTo("http-get: the port in the URL is not in 0-65535: http://127.0.0.1:70000/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http-get", "echo-client"})
    void aConnectTimeoutLongerThanAConnectionAccepts(String command) {
        String url = command.equals("http-get") ? "http://127.0.0.1:1/" : "ping";
        assertThat(usageError(run(command, "--connect-timeout", "100000000", url)))
                .isEqualTo(command + ": --connect-timeout must be at most 2147483 seconds (about 24 days): 100000000");
        assertThat(usageError(run(command, "--connect-timeout", "0.0001", url)))
                .isEqualTo(command + ": --connect-timeout must be at least 0.001 seconds: 0.0001");
    }

    @Test
    void anOutputFileInADirectoryThatDoesNotExist() {
        Path file = dir.resolve("no/such/dir/body.bin");
        assertThat(usageError(run("http-get", "-o", file.toString(), "http://127.0.0.1:1/")))
                .isEqualTo("http-get: -o " + file + ": the directory " + file.getParent() + " does not exist");
    }

    @Test
    void aMissingCertOrKeyFileIsSaidToBeMissing() throws Exception {
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key");
        Path missing = dir.resolve("missing.pem");
        assertThat(usageError(run("echo-server", "--tls", "--cert", missing.toString(), "--key", key.toString())))
                .isEqualTo("echo-server: --cert " + missing + ": no such file");
        assertThat(usageError(run("echo-server", "--tls", "--cert", key.toString(), "--key", missing.toString())))
                .isEqualTo("echo-server: --key " + missing + ": no such file");
    }

    @Test
    void cacertProblemsAreTheSameMistakeInBothClients() throws Exception {
        Path missing = dir.resolve("missing-ca.pem");
        Path notACertificate = Files.writeString(dir.resolve("not-a-cert.pem"), "hello");
        for (Path cacert : List.of(missing, notACertificate)) {
            String httpGet = usageError(run("http-get", "--cacert", cacert.toString(), "https://127.0.0.1:1/"));
            String echoClient = usageError(run("echo-client", "--tls", "--cacert", cacert.toString()));
            assertThat(httpGet.substring("http-get: ".length()))
                    .isEqualTo(echoClient.substring("echo-client: ".length()));
            assertThat(httpGet).contains("--cacert " + cacert);
        }
        assertThat(usageError(run("echo-client", "--tls", "--cacert", missing.toString())))
                .endsWith(": no such file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "async"})
    void echoClientGivesUpOnAServerThatNeverAnswers(String style) throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread reader = new Thread(() -> {
                try (Socket accepted = silent.accept(); InputStream in = accepted.getInputStream()) {
                    in.transferTo(OutputStream.nullOutputStream()); // reads, never answers
                } catch (Exception ignored) {
                    // the test is over
                }
            });
            reader.setDaemon(true);
            reader.start();
            String port = Integer.toString(silent.getLocalPort());
            Run result = style.equals("async") ? run("echo-client", "--port", port, "--timeout", "0.5", "--async")
                    : run("echo-client", "--port", port, "--timeout", "0.5");
            assertThat(result.code()).isEqualTo(1);
            assertThat(result.err()).isEqualTo("echo-client: no answer from 127.0.0.1:" + port
                    + " within 0.500 s (a TLS server? then add --tls)\n");
        }
    }

    @Test
    void echoClientInPlainTcpToOpensslsTlsServerEndsInTime() throws Exception {
        assumeTrue(ChildProcess.hasOpenSsl(), "openssl is not installed (apt-get install openssl)");
        Path key = dir.resolve("s_server-key.pem");
        Path cert = dir.resolve("s_server-cert.pem");
        try (ChildProcess req = new ChildProcess(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost", "-days", "2", "-keyout", key.toString(),
                "-out", cert.toString()))) {
            assertThat(req.waitFor(Duration.ofSeconds(30))).as(req.err.text()).isZero();
        }
        try (ChildProcess server = new ChildProcess(List.of("openssl", "s_server", "-accept", "127.0.0.1:0",
                "-cert", cert.toString(), "-key", key.toString()))) {
            String port = server.out.await("^ACCEPT 127\\.0\\.0\\.1:(\\d+)$", Duration.ofSeconds(20));
            Run result = run("echo-client", "--port", port, "--timeout", "2"); // waiting for ever: @Timeout fails it
            assertThat(result.code()).isEqualTo(1);
            assertThat(result.err()).startsWith("echo-client: ");
        }
    }
}
