package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
 * The tutorial programs, each run as the jar runs it (a JVM of its own, through {@link Main}): the server keeps
 * serving after {@code main} has started it, the client and server talk to each other and to the tutorial's Python
 * server and client, and the HTTP GET prints what a real server answered.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TutorialTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final List<String> CONVERSATION = List.of(
            "Сервер ответил: Эхо: Привет", "Сервер ответил: Эхо: Как дела?", "Сервер ответил: Эхо: Пока");

    static ChildProcess tutorial(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = Main.class.getName();
        System.arraycopy(args, 0, command, 1, args.length);
        return new ChildProcess(ChildProcess.java(command));
    }

    /** Starts {@code tutorial-echo-server} on a free port; returns the port it printed. */
    static String startServer(ChildProcess server) throws Exception {
        return server.out.await("^Serving on /?127\\.0\\.0\\.1:(\\d+)$", WAIT);
    }

    @Test
    void tutorialServerKeepsServingAndTheTutorialClientTalksToIt() throws Exception {
        try (ChildProcess server = tutorial("tutorial-echo-server", "0")) {
            String port = startServer(server);
            for (int round = 0; round < 2; round++) { // main has long returned from start: the JVM is still up
                try (ChildProcess client = tutorial("tutorial-echo-client", port)) {
                    assertThat(client.waitFor(WAIT)).as(client.err.text()).isZero();
                    assertThat(client.out.text().lines()).containsExactlyElementsOf(CONVERSATION);
                }
            }
            server.out.await("(?s)((?:.*^Получено: Пока$){2})", WAIT);
            assertThat(server.process.isAlive()).isTrue();
            assertThat(server.err.text()).isEmpty();
        }
    }

    @Test
    void pythonsTutorialClientTalksToTheTutorialServer() throws Exception {
        assumeTrue(ChildProcess.hasPython(), "python3 is not on the PATH");
        try (ChildProcess server = tutorial("tutorial-echo-server", "0")) {
            String port = startServer(server);
            try (ChildProcess python = new ChildProcess(List.of("python3",
                    ChildProcess.resource("/python/echo_client.py"), port))) {
                assertThat(python.waitFor(WAIT)).as(python.err.text()).isZero();
                python.out.await("^(Сервер ответил: Эхо: Пока)$", WAIT);
                assertThat(python.out.text().lines()).containsExactlyElementsOf(CONVERSATION);
            }
        }
    }

    @Test
    void theTutorialClientTalksToPythonsTutorialServer() throws Exception {
        assumeTrue(ChildProcess.hasPython(), "python3 is not on the PATH");
        try (ChildProcess python = new ChildProcess(List.of("python3",
                ChildProcess.resource("/python/echo_server.py"), "0"))) {
            String port = python.out.await("^PORT (\\d+)$", WAIT);
            try (ChildProcess client = tutorial("tutorial-echo-client", port)) {
                assertThat(client.waitFor(WAIT)).as(client.err.text()).isZero();
                assertThat(client.out.text().lines()).containsExactlyElementsOf(CONVERSATION);
            }
        }
    }

    @Test
    void theTutorialClientSaysWhenTheServerClosesEarly() throws Exception {
        try (ServerSocket closing = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptAndClose = new Thread(() -> {
                try (Socket accepted = closing.accept()) {
                    accepted.shutdownOutput(); // EOF at once
                    accepted.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // the test is over
                }
            });
            acceptAndClose.setDaemon(true);
            acceptAndClose.start();
            try (ChildProcess client = tutorial("tutorial-echo-client", Integer.toString(closing.getLocalPort()))) {
                assertThat(client.waitFor(WAIT)).as(client.err.text()).isZero();
                assertThat(client.out.text()).isEqualTo("Сервер закрыл соединение\n");
            }
        }
    }

    @Test
    void tutorialHttpGetPrintsTheHeadAndTheBody() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        http.createContext("/hello", ex -> {
            byte[] body = "Привет, HTTP\n".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        try (ChildProcess get = tutorial("tutorial-http-get", "127.0.0.1",
                Integer.toString(http.getAddress().getPort()), "/hello")) {
            assertThat(get.waitFor(WAIT)).as(get.err.text()).isZero();
            assertThat(get.out.text()).startsWith("HTTP/1.1 200 OK\n")
                    .contains("\nContent-type: text/plain; charset=utf-8\n", "\nContent-length: 19\n")
                    .endsWith("\n\nПривет, HTTP\n");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void tutorialHttpGetAgainstPythonsHttpServer(@TempDir Path dir) throws Exception {
        assumeTrue(ChildProcess.hasPython(), "python3 is not on the PATH");
        Files.writeString(dir.resolve("page.txt"), "from python\n");
        try (ChildProcess python = new ChildProcess(List.of("python3", "-m", "http.server", "0", "--bind",
                "127.0.0.1", "--directory", dir.toString()))) {
            String port = python.out.await("^Serving HTTP on 127\\.0\\.0\\.1 port (\\d+)", WAIT);
            try (ChildProcess get = tutorial("tutorial-http-get", "127.0.0.1", port, "/page.txt")) {
                assertThat(get.waitFor(WAIT)).as(get.err.text()).isZero();
                assertThat(get.out.text()).startsWith("HTTP/1.0 200 OK\n").contains("\nContent-Length: 12\n")
                        .endsWith("\n\nfrom python\n");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TutorialEchoServer", "TutorialEchoClient", "TutorialHttpGet"})
    void eachTutorialIsAShortFile(String name) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/main/java/dev/streams/examples/" + name + ".java"));
        assertThat(lines.size()).as(name + " lines").isLessThanOrEqualTo(75);
    }

    @Test
    void tutorialsHaveUsageAndAPortMistakeIsExitTwo() {
        for (String command : List.of("tutorial-echo-server", "tutorial-echo-client", "tutorial-http-get")) {
            Capture out = new Capture();
            assertThat(Main.run(new String[] {command, "--help"}, out.stream, new Capture().stream)).isZero();
            assertThat(out.text()).startsWith("Usage: " + command);
        }
        Capture err = new Capture();
        assertThat(Main.run(new String[] {"tutorial-echo-client", "x"}, new Capture().stream, err.stream))
                .isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.text()).startsWith("tutorial-echo-client: the port must be a number\n");
    }
}
