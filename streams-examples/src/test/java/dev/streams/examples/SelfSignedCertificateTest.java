package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streams.examples.EchoTest.RunningServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate {@code echo-server --tls} makes with the JDK alone: what the JDK reads back from it, and that
 * OpenSSL (strict X.509 checks) and Python's {@code ssl} (strict too) accept it, each skipped when not installed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelfSignedCertificateTest {

    @TempDir
    Path dir;

    @Test
    void theJdkReadsBackWhatWasMeant() throws Exception {
        Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant to = from.plus(Duration.ofDays(30));
        SelfSignedCertificate made = SelfSignedCertificate.make("localhost", "127.0.0.1", from, to);
        X509Certificate cert = made.certificate();

        cert.verify(cert.getPublicKey()); // self-signed
        assertThat(cert.getVersion()).isEqualTo(3);
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
        assertThat(cert.getNotBefore().toInstant()).isEqualTo(from);
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(to);
        assertThat(cert.getSerialNumber().signum()).isPositive();
        assertThat(cert.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
        assertThat(cert.getCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.19", "2.5.29.15");
        assertThat(cert.getKeyUsage()).startsWith(true, false, false, false, false, true); // digitalSignature, keyCertSign
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(cert.getSubjectAlternativeNames()).containsExactlyInAnyOrder(List.of(2, "localhost"),
                List.of(7, "127.0.0.1"));
        // The subject and authority key identifiers are the same 20 bytes (OCTET STRING, and [0] in a SEQUENCE).
        byte[] ski = cert.getExtensionValue("2.5.29.14");
        byte[] aki = cert.getExtensionValue("2.5.29.35");
        assertThat(java.util.Arrays.copyOfRange(ski, ski.length - 20, ski.length))
                .isEqualTo(java.util.Arrays.copyOfRange(aki, aki.length - 20, aki.length));
        assertThat(made.key().getAlgorithm()).isEqualTo("EC");
        assertThat(made.pem()).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("\n-----END CERTIFICATE-----\n");
    }

    @Test
    void datesFrom2050AreWrittenAsGeneralizedTime() throws Exception {
        Instant from = Instant.parse("2049-12-31T23:00:00Z");
        Instant to = Instant.parse("2051-06-01T12:00:00Z");
        X509Certificate cert = SelfSignedCertificate.make("localhost", "::1", from, to).certificate();
        assertThat(cert.getNotBefore().toInstant()).isEqualTo(from);
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(to);
        assertThat(cert.getSubjectAlternativeNames()).contains(List.of(7, "0:0:0:0:0:0:0:1"));
    }

    @Test
    void opensslAcceptsItUnderStrictChecksForLocalhostAndTheAddress() throws Exception {
        assumeTrue(ChildProcess.hasOpenSsl(), "openssl is not installed (apt-get install openssl)");
        Path pem = dir.resolve("self.pem");
        TlsSupport.writePem(TlsSupport.selfSigned(), pem);
        try (ChildProcess verify = new ChildProcess(List.of("openssl", "verify", "-x509_strict", "-purpose",
                "sslserver", "-verify_hostname", "localhost", "-verify_ip", "127.0.0.1", "-CAfile", pem.toString(),
                pem.toString()))) {
            assertThat(verify.waitFor(Duration.ofSeconds(30))).as(verify.out.text() + verify.err.text()).isZero();
            assertThat(verify.out.text()).contains(": OK");
        }
    }

    @Test
    void pythonsSslTalksToEchoServerWithIt() throws Exception {
        assumeTrue(ChildProcess.hasPython(), "python3 is not on the PATH");
        Path pem = dir.resolve("echo.pem");
        String client = String.join("\n",
                "import socket, ssl, sys",
                "context = ssl.create_default_context(cafile=sys.argv[2])",
                "context.verify_flags |= ssl.VERIFY_X509_STRICT",
                "with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as raw:",
                "    with context.wrap_socket(raw, server_hostname='localhost') as tls:",
                "        tls.sendall('\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442\\n'.encode())", // Привет
                "        print(tls.makefile('rb').readline().decode().strip(), flush=True)");
        try (RunningServer server = new RunningServer("--tls", "--write-cert", pem.toString());
             ChildProcess python = new ChildProcess(List.of("python3", "-c", client,
                     Integer.toString(server.port), pem.toString()))) {
            assertThat(python.waitFor(Duration.ofSeconds(30))).as(python.err.text()).isZero();
            python.out.await("^(Эхо: Привет)$", Duration.ofSeconds(10));
        }
    }

    @Test
    void theExamplesJarDependsOnNoCertificateLibrary() throws Exception {
        // The module descriptor lists what the examples need at run time: no netty-pkitesting (nor BouncyCastle).
        String descriptor = Files.readString(Path.of("src/main/java/module-info.java"));
        assertThat(descriptor).doesNotContain("pkitesting", "bouncycastle");
        assertThat(Files.readString(Path.of("pom.xml")))
                .containsPattern("<artifactId>netty-pkitesting</artifactId>\\s*<scope>test</scope>");
    }
}
