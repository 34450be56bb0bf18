package dev.streams.examples;

import static dev.streams.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.NettyStreams;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The echo server and client commands talking to each other over loopback, in both styles, and their failures. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EchoTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** An echo-server command running on a thread of its own until {@link #stop()}. */
    static final class RunningServer implements AutoCloseable {
        final Capture out = new Capture();
        final Capture err = new Capture();
        final CompletableFuture<String> stop = new CompletableFuture<>();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();
        final int port;

        /** The server's options; {@code --port 0} is added unless they have {@code --unix}. */
        RunningServer(String... options) throws Exception {
            boolean unix = List.of(options).contains("--unix");
            List<String> args = new ArrayList<>(unix ? List.of() : List.of("--port", "0"));
            args.addAll(List.of(options));
            Thread thread = new Thread(() -> exit.complete(
                    EchoServer.run(args.toArray(String[]::new), out.stream, err.stream, stop)), "echo-server-test");
            thread.start();
            String where;
            try {
                where = out.await(unix ? "^Serving on (/\\S+)$" : "^Serving on 127\\.0\\.0\\.1:(\\d+)$", WAIT);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the server did not start (exit code " + exit.getNow(null) + "); stderr: "
                        + err.text(), e);
            }
            port = unix ? -1 : Integer.parseInt(where);
        }

        /** Stops the server (as SIGINT would) and returns its exit code. */
        int stop() {
            stop.complete("test");
            return exit.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        }

        @Override
        public void close() {
            stop();
        }
    }

    @ParameterizedTest(name = "server {0}, client {1}")
    @CsvSource({"async, blocking", "async, async", "blocking, blocking", "blocking, async"})
    void serverAndClientTalkInBothStyles(String serverStyle, String clientStyle) throws Exception {
        try (RunningServer server = serverStyle.equals("blocking") ? new RunningServer("--blocking")
                : new RunningServer()) {
            Capture out = new Capture();
            Capture err = new Capture();
            List<String> args = new ArrayList<>(List.of("--port", Integer.toString(server.port)));
            if (clientStyle.equals("async")) {
                args.add("--async");
            }
            int code = EchoClient.run(args.toArray(String[]::new), out.stream, err.stream);

            assertThat(err.text()).isEmpty();
            assertThat(code).isZero();
            assertThat(out.text().lines()).containsExactly(
                    "Сервер ответил: Эхо: Привет", "Сервер ответил: Эхо: Как дела?", "Сервер ответил: Эхо: Пока");
            assertThat(server.out.text().lines()).contains(
                    "Получено: Привет", "Получено: Как дела?", "Получено: Пока");
            assertThat(server.stop()).isZero();
            assertThat(server.err.text()).isEmpty();
        }
    }

    @Test
    void clientSendsGivenMessagesAndStdinLines() throws Exception {
        try (RunningServer server = new RunningServer()) {
            Capture out = new Capture();
            int code = EchoClient.run(new String[] {"--port", Integer.toString(server.port), "  раз ", "два"},
                    out.stream, new Capture().stream);
            assertThat(code).isZero();
            assertThat(out.text().lines()).containsExactly("Сервер ответил: Эхо: раз", "Сервер ответил: Эхо: два");

            Capture fromStdin = new Capture();
            InputStream stdin = new ByteArrayInputStream("один\nдва\n".getBytes(StandardCharsets.UTF_8));
            code = EchoClient.run(new String[] {"--port", Integer.toString(server.port), "-"}, stdin,
                    fromStdin.stream, new Capture().stream);
            assertThat(code).isZero();
            assertThat(fromStdin.text().lines())
                    .containsExactly("Сервер ответил: Эхо: один", "Сервер ответил: Эхо: два");
        }
    }

    @Test
    void maxConnectionsClosesAConnectionBeyondItAtOnce() throws Exception {
        try (RunningServer server = new RunningServer("--max-connections", "1");
             StreamConnection first = await(NettyStreams.openConnection("127.0.0.1", server.port));
             StreamConnection second = await(NettyStreams.openConnection("127.0.0.1", server.port))) {
            first.writer().write("один\n".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(await(first.reader().readLine(), WAIT), StandardCharsets.UTF_8))
                    .isEqualTo("Эхо: один\n");
            assertThat(await(second.reader().read(-1), WAIT)).as("the second is closed at once").isEmpty();
            first.writer().write("два\n".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(await(first.reader().readLine(), WAIT), StandardCharsets.UTF_8))
                    .as("the first goes on").isEqualTo("Эхо: два\n");
        }
    }

    @Test
    void plainServerEchoesLinesUnchangedAndLogsNothing() throws Exception {
        try (RunningServer server = new RunningServer("--plain");
             StreamConnection connection = await(NettyStreams.openConnection("127.0.0.1", server.port))) {
            connection.writer().write("  как есть \n".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(await(connection.reader().readLine(), WAIT), StandardCharsets.UTF_8))
                    .isEqualTo("  как есть \n");
            connection.writer().writeEof();
            assertThat(await(connection.reader().read(-1), WAIT)).isEmpty(); // the server closes at our EOF
            assertThat(server.out.text()).doesNotContain("Получено");
        }
    }

    @ParameterizedTest(name = "{0} server")
    @CsvSource({"async", "blocking"})
    void plainServerEchoesAPipelinedBurst(String style) throws Exception {
        // 10,000 lines in one write: the async handler answers lines the buffer already holds in a loop, without
        // growing the stack (forEachLine), and both styles wait in drain() while the client is slow to read.
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            burst.append("line ").append(i).append('\n');
        }
        byte[] sent = burst.toString().getBytes(StandardCharsets.UTF_8);
        try (RunningServer server = style.equals("blocking") ? new RunningServer("--plain", "--blocking")
                : new RunningServer("--plain");
             StreamConnection connection = await(NettyStreams.openConnection("127.0.0.1", server.port))) {
            connection.writer().write(sent);
            assertThat(await(connection.reader().readExactly(sent.length), WAIT)).isEqualTo(sent);
            assertThat(server.err.text()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} server")
    @CsvSource({"async", "blocking"})
    void lineOverTheLimitClosesThatConnectionOnly(String style) throws Exception {
        try (RunningServer server = style.equals("blocking") ? new RunningServer("--limit", "16", "--blocking")
                : new RunningServer("--limit", "16");
             StreamConnection good = await(NettyStreams.openConnection("127.0.0.1", server.port));
             StreamConnection bad = await(NettyStreams.openConnection("127.0.0.1", server.port))) {
            good.writer().write("short\n".getBytes(StandardCharsets.UTF_8));
            assertThat(await(good.reader().readLine(), WAIT)).asString(StandardCharsets.UTF_8)
                    .isEqualTo("Эхо: short\n");

            bad.writer().write(("x".repeat(100) + "\n").getBytes(StandardCharsets.UTF_8));
            assertThat(await(bad.reader().read(-1), WAIT)).isEmpty(); // closed without an answer
            server.err.await("line longer than 16 bytes; closing the connection", WAIT);

            good.writer().write("still here\n".getBytes(StandardCharsets.UTF_8));
            assertThat(await(good.reader().readLine(), WAIT)).asString(StandardCharsets.UTF_8)
                    .isEqualTo("Эхо: still here\n");
        }
    }

    @Test
    void withBlockingThreadsTheConnectionPastThePoolWaitsUntilAThreadIsFree() throws Exception {
        try (RunningServer server = new RunningServer("--blocking", "--blocking-threads", "1");
             StreamConnection first = await(NettyStreams.openConnection("127.0.0.1", server.port))) {
            first.writer().write("a1\n".getBytes(StandardCharsets.UTF_8));
            assertThat(await(first.reader().readLine(), WAIT)).asString(StandardCharsets.UTF_8)
                    .isEqualTo("Эхо: a1\n"); // the first holds the only thread from here on
            StreamConnection second = await(NettyStreams.openConnection("127.0.0.1", server.port));
            CompletableFuture<byte[]> answer = second.reader().readLine();
            second.writer().write("b1\n".getBytes(StandardCharsets.UTF_8));
            first.writer().write("a2\n".getBytes(StandardCharsets.UTF_8));
            assertThat(await(first.reader().readLine(), WAIT)).asString(StandardCharsets.UTF_8)
                    .isEqualTo("Эхо: a2\n");
            first.close(); // frees the only thread
            assertThat(await(answer, WAIT)).asString(StandardCharsets.UTF_8).isEqualTo("Эхо: b1\n");
            assertThat(server.out.text()).as("the second client was served only after the first left")
                    .containsSubsequence("Получено: a1", "Получено: a2", "Получено: b1");
            second.close();
        }
    }

    @Test
    void blockingThreadsNeedsBlockingAndAPositiveCount() {
        Capture out = new Capture();
        Capture err = new Capture();
        assertThat(EchoServer.run(new String[] {"--blocking-threads", "4"}, out.stream, err.stream,
                new CompletableFuture<>())).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.text()).contains("--blocking-threads needs --blocking");
        assertThat(EchoServer.run(new String[] {"--blocking", "--blocking-threads", "0"}, out.stream, err.stream,
                new CompletableFuture<>())).isEqualTo(Cli.EXIT_USAGE);
        assertThat(EchoServer.USAGE).contains("--blocking-threads N");
    }

    @Test
    void stopClosesConnectedClientsGracefully() throws Exception {
        RunningServer server = new RunningServer("--blocking");
        try (StreamConnection idle = await(NettyStreams.openConnection("127.0.0.1", server.port))) {
            idle.writer().write("hi\n".getBytes(StandardCharsets.UTF_8));
            await(idle.reader().readLine(), WAIT); // the handler is running
            assertThat(server.stop()).isZero();
            assertThat(await(idle.reader().read(-1), WAIT)).isEmpty(); // EOF: closed by the server
            assertThat(server.out.text()).contains("Stopping (test)");
        }
    }

    @ParameterizedTest(name = "{0} client")
    @CsvSource({"blocking", "async"})
    void serverThatClosesEarlyIsExitCodeOne(String style) throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // Answers the first line, then closes before the second answer.
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket socket = raw.accept()) {
                    InputStream in = socket.getInputStream();
                    while (in.read() != '\n') {
                        // skip the first line
                    }
                    OutputStream out = socket.getOutputStream();
                    out.write("Эхо: Привет\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Capture out = new Capture();
            Capture err = new Capture();
            List<String> args = new ArrayList<>(List.of("--port", Integer.toString(raw.getLocalPort())));
            if (style.equals("async")) {
                args.add("--async");
            }
            int code = EchoClient.run(args.toArray(String[]::new), out.stream, err.stream);
            served.get(10, TimeUnit.SECONDS);
            assertThat(code).isEqualTo(1);
            assertThat(out.text()).contains("Сервер ответил: Эхо: Привет");
            assertThat(err.text().strip())
                    .isEqualTo("echo-client: the server closed the connection before answering \"Как дела?\"");
        }
    }

    @Test
    void connectionRefusedIsExitCodeOne() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Capture err = new Capture();
        assertThat(EchoClient.run(new String[] {"--port", Integer.toString(port)}, new Capture().stream, err.stream))
                .isEqualTo(1);
        assertThat(err.text().strip())
                .isEqualTo("echo-client: cannot connect to 127.0.0.1:" + port + ": Connection refused");
    }

    @Test
    void serverBindFailureIsReported() throws Exception {
        try (RunningServer first = new RunningServer()) {
            Capture err = new Capture();
            int code = EchoServer.run(new String[] {"--port", Integer.toString(first.port)}, new Capture().stream,
                    err.stream, new CompletableFuture<>());
            assertThat(code).isEqualTo(1);
            assertThat(err.text()).startsWith("echo-server: ");
        }
    }

    @Test
    void startedServerCanBeStoppedFromTheApi() throws Exception {
        EchoServer.Options options = new EchoServer.Options();
        options.port = 0;
        StreamServer server = await(EchoServer.start(options, new Capture().stream, new Capture().stream), WAIT);
        try {
            List<String> answers = EchoClient.talkBlocking("127.0.0.1", EchoServer.port(server),
                    List.of("a").iterator(), new Capture().stream);
            assertThat(answers).containsExactly("Эхо: a");
        } finally {
            EchoServer.stop(server, System.err);
        }
        assertThat(server.isServing()).isFalse();
    }
}
