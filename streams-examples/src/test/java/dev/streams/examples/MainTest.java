package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line: dispatch, --help, bad arguments, the demo, and a real SIGTERM to a server process. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MainTest {

    @Test
    void demoRunsAndExitsZero() {
        Capture out = new Capture();
        Capture err = new Capture();
        int code = Main.run(new String[] {"demo"}, out.stream, err.stream);

        assertThat(err.text()).isEmpty();
        assertThat(code).isZero();
        String conversation = String.join("\n", "Получено: Привет", "Сервер ответил: Эхо: Привет",
                "Получено: Как дела?", "Сервер ответил: Эхо: Как дела?", "Получено: Пока",
                "Сервер ответил: Эхо: Пока", "Server closed.");
        String text = out.text();
        assertThat(text).contains("== Futures", "== Blocking");
        assertThat(text.split("== Blocking")[0]).contains(conversation);
        assertThat(text.split("== Blocking")[1]).contains(conversation);
    }

    @Test
    void attachDemoRunsAndExitsZero() {
        Capture out = new Capture();
        Capture err = new Capture();

        int code = Main.run(new String[] {"attach-demo"}, out.stream, err.stream);

        assertThat(err.text()).isEmpty();
        assertThat(code).isZero();
        assertThat(out.text()).containsPattern("(?m)^Serving on 127\\.0\\.0\\.1:\\d+$").contains(String.join("\n",
                "Получено: Привет", "Сервер ответил: Эхо: Привет", "Получено: Как дела?",
                "Сервер ответил: Эхо: Как дела?", "Получено: Пока", "Сервер ответил: Эхо: Пока", "Server closed."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo-server", "echo-client", "http-get", "demo", "attach-demo"})
    void everyCommandHasHelp(String command) {
        Capture out = new Capture();
        assertThat(Main.run(new String[] {command, "--help"}, out.stream, new Capture().stream)).isZero();
        assertThat(out.text()).startsWith("Usage: " + command);
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo-server --bogus", "echo-server --port 70000", "echo-server --port",
        "echo-client --port x", "echo-client --nope", "echo-client a -", "http-get", "http-get -Z http://x/",
        "http-get ftp://example.com/", "http-get --max-time 0 http://x/", "http-get http://a/ http://b/",
        "demo extra", "no-such-command", "", "attach-demo extra", "echo-server --cert c.pem --key k.pem",
        "echo-server --tls --cert c.pem", "echo-server --tls --cert c.pem --key k.pem --write-cert w.pem",
        "echo-server --unix /tmp/x.sock --port 1", "echo-server --tls --cert /nonexistent --key /nonexistent",
        "echo-client --cacert c.pem", "echo-client --server-name x", "echo-client --unix /tmp/x.sock --host h",
        "echo-client --tls --cacert /nonexistent", "echo-client --tls --cacert", "echo-server --max-connections 0",
        "echo-server --max-connections"})
    void badArgumentsAreAClearMessageAndExitTwo(String line) {
        Capture out = new Capture();
        Capture err = new Capture();
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        assertThat(Main.run(args, out.stream, err.stream)).isEqualTo(2);
        assertThat(err.text()).isNotBlank();
        assertThat(out.text()).isEmpty();
    }

    @Test
    void mainHelpListsEveryCommand() {
        Capture out = new Capture();
        assertThat(Main.run(new String[] {"--help"}, out.stream, new Capture().stream)).isZero();
        assertThat(out.text()).contains("echo-server", "echo-client", "http-get", "demo", "attach-demo",
                "tutorial-echo-server", "tutorial-echo-client", "tutorial-http-get");
    }

    @Test
    void sigtermStopsTheServerCleanlyWithExitZero() throws Exception {
        try (ChildProcess server = new ChildProcess(ChildProcess.java(Main.class.getName(), "echo-server",
                "--port", "0", "--blocking"))) {
            String port = server.out.await("^Serving on 127\\.0\\.0\\.1:(\\d+)$", Duration.ofSeconds(20));
            assertThat(EchoClient.run(new String[] {"--port", port, "ping"}, new Capture().stream,
                    new Capture().stream)).isZero();

            // SIGTERM, through the handle: Process.destroy() would also close our ends of the child's pipes.
            assertThat(server.process.toHandle().destroy()).isTrue();

            assertThat(server.waitFor(Duration.ofSeconds(20))).isZero();
            server.out.await("^(Stopping \\(SIGTERM\\))$", Duration.ofSeconds(5));
            // Nothing on stderr but the server's one INFO line (java.util.logging's two) naming its scheduler.
            assertThat(server.err.text().lines().filter(l -> !l.contains("BlockingExecutor")
                    && !l.contains("blocking handlers run on"))).isEmpty();
            assertThat(server.err.text()).contains("blocking handlers run on");
        }
    }
}
