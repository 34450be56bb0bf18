package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Our client against the tutorial's asyncio server, and the tutorial's asyncio client against our server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PythonInteropTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeAll
    static void needsPython() {
        assumeTrue(ChildProcess.hasPython(), "python3 is not on the PATH");
    }

    @Test
    void ourClientTalksToAsyncioServer() throws Exception {
        try (ChildProcess python = new ChildProcess(
                List.of("python3", ChildProcess.resource("/python/echo_server.py"), "0"))) {
            String port = python.out.await("^PORT (\\d+)$", WAIT);
            Capture out = new Capture();
            Capture err = new Capture();

            int code = EchoClient.run(new String[] {"--port", port}, out.stream, err.stream);

            assertThat(err.text()).isEmpty();
            assertThat(code).isZero();
            assertThat(out.text().lines()).containsExactly(
                    "Сервер ответил: Эхо: Привет", "Сервер ответил: Эхо: Как дела?", "Сервер ответил: Эхо: Пока");
            python.out.await("^(Получено: Пока)$", WAIT);
            assertThat(python.err.text()).isEmpty();
        }
    }

    @Test
    void ourAsyncClientTalksToAsyncioServer() throws Exception {
        try (ChildProcess python = new ChildProcess(
                List.of("python3", ChildProcess.resource("/python/echo_server.py"), "0"))) {
            String port = python.out.await("^PORT (\\d+)$", WAIT);
            Capture out = new Capture();
            int code = EchoClient.run(new String[] {"--port", port, "--async", "Ещё раз"}, out.stream,
                    new Capture().stream);
            assertThat(code).isZero();
            assertThat(out.text().lines()).containsExactly("Сервер ответил: Эхо: Ещё раз");
        }
    }

    @Test
    void asyncioClientTalksToOurServers() throws Exception {
        for (String[] style : new String[][] {{}, {"--blocking"}}) {
            try (EchoTest.RunningServer server = new EchoTest.RunningServer(style);
                 ChildProcess python = new ChildProcess(List.of("python3",
                         ChildProcess.resource("/python/echo_client.py"), Integer.toString(server.port)))) {
                int code = python.waitFor(WAIT);

                assertThat(python.err.text()).isEmpty();
                assertThat(code).isZero();
                python.out.await("^(Сервер ответил: Эхо: Пока)$", WAIT); // the pump may lag behind the exit
                assertThat(python.out.text().lines()).containsExactly(
                        "Сервер ответил: Эхо: Привет", "Сервер ответил: Эхо: Как дела?", "Сервер ответил: Эхо: Пока");
                assertThat(server.out.text()).contains("Получено: Привет", "Получено: Как дела?", "Получено: Пока");
            }
        }
    }
}
