package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code echo-server --idle-timeout SECONDS}: a silent client is closed; the option's default and bad values. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EchoServerIdleTimeoutTest {

    @Test
    void aClientThatFallsSilentIsClosedAndReported() throws Exception {
        try (EchoTest.RunningServer server = new EchoTest.RunningServer("--plain", "--idle-timeout", "0.3");
             Socket client = new Socket("127.0.0.1", server.port)) {
            client.setSoTimeout((int) EchoTest.WAIT.toMillis());
            // Silent from the start: an exchange first would have to happen within the 0.3 s.
            InputStream in = client.getInputStream();
            assertThat(in.read()).as("closed by the server once idle").isEqualTo(-1);
            assertThat(server.err.await("^(echo-server: 127\\.0\\.0\\.1:\\d+: .*)$", EchoTest.WAIT))
                    .contains("idle for 300 ms (no byte read or written)");
            assertThat(server.stop()).isZero();
        }
    }

    @Test
    void theDefaultIsFiveMinutesAndZeroMeansNever() throws Exception {
        assertThat(EchoServer.Options.parse(new String[0]).idleTimeout).isEqualTo(Duration.ofSeconds(300));
        assertThat(EchoServer.Options.parse(new String[] {"--idle-timeout", "0"}).idleTimeout).isNull();
        assertThat(EchoServer.Options.parse(new String[] {"--idle-timeout", "2.5"}).idleTimeout)
                .isEqualTo(Duration.ofMillis(2500));
        assertThat(EchoServer.USAGE).contains("--idle-timeout SECONDS").contains("(default 300;");
    }

    @Test
    void badValuesAreUsageErrors() {
        for (String bad : new String[] {"-1", "soon", ""}) {
            Capture out = new Capture();
            Capture err = new Capture();
            int code = EchoServer.run(new String[] {"--idle-timeout", bad}, out.stream, err.stream);
            assertThat(code).as(bad).isEqualTo(Cli.EXIT_USAGE);
            assertThat(err.text()).as(bad).startsWith("echo-server: --idle-timeout ");
        }
    }
}
