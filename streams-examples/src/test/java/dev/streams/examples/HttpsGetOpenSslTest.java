package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http-get https://} against {@code openssl s_server -www}, which answers HTTP/1.0 without a length, then
 * sends close_notify and waits: the body ends at that close_notify (issue 12: http-get printed the page and then hung
 * for ever). Skipped when {@code openssl} is not installed ({@code apt-get install openssl}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpsGetOpenSslTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void thePageEndsAtTheServersCloseNotify() throws Exception {
        assumeTrue(ChildProcess.hasOpenSsl(), "openssl is not installed");
        X509Bundle bundle = new CertificateBuilder().subject("CN=localhost").setIsCertificateAuthority(true)
                .addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth().ecp256().buildSelfSigned();
        Path cert = Files.writeString(dir.resolve("cert.pem"), bundle.getCertificatePEM(), StandardCharsets.US_ASCII);
        Path key = Files.writeString(dir.resolve("key.pem"), bundle.getPrivateKeyPEM(), StandardCharsets.US_ASCII);
        try (ChildProcess openssl = new ChildProcess(List.of("openssl", "s_server", "-www", "-naccept", "1",
                "-accept", "127.0.0.1:0", "-cert", cert.toString(), "-key", key.toString()))) {
            String port = openssl.out.await("^ACCEPT 127\\.0\\.0\\.1:(\\d+)$", WAIT);
            HttpGetTest.Result result = HttpGetTest.get("--cacert", cert.toString(),
                    "https://127.0.0.1:" + port + "/");
            assertThat(result.err()).isEmpty();
            assertThat(result.code()).isZero();
            assertThat(result.outText()).contains("s_server").contains("</BODY></HTML>");
            assertThat(openssl.waitFor(WAIT)).as("s_server -naccept 1 ends after the connection").isZero();
        }
    }
}
