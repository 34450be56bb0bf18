package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jar's commands in a child JVM whose locale names no charset ({@code LANG} and {@code LC_ALL} unset, or
 * {@code C}): Cyrillic arguments reach the server as typed and the answers are printed as UTF-8.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocaleTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @ParameterizedTest
    @ValueSource(strings = {"unset", "C", "POSIX"})
    void cyrillicArgumentsAndOutputSurviveALocaleWithoutCharset(String locale, @TempDir Path dir) throws Exception {
        // The Cyrillic argument is written into a script as UTF-8 bytes, so that this JVM's own charset (used to
        // encode a child's arguments) plays no part: sh appends it to the java command it runs.
        Path script = dir.resolve("with-argument.sh");
        Files.write(script, "exec \"$@\" 'Привет, мир'\n".getBytes(StandardCharsets.UTF_8));
        Map<String, String> env = new HashMap<>();
        for (String name : List.of("LANG", "LC_ALL", "LC_CTYPE", "LANGUAGE")) {
            env.put(name, null);
        }
        if (!locale.equals("unset")) {
            env.put("LC_ALL", locale);
        }
        try (EchoTest.RunningServer server = new EchoTest.RunningServer()) {
            List<String> command = new ArrayList<>(List.of("sh", script.toString()));
            command.addAll(ChildProcess.java(Main.class.getName(), "echo-client", "--port",
                    Integer.toString(server.port)));
            try (ChildProcess client = new ChildProcess(command, env)) {
                int code = client.waitFor(WAIT);
                assertThat(client.err.text()).isEmpty();
                assertThat(code).isZero();
                assertThat(client.out.text()).isEqualTo("Сервер ответил: Эхо: Привет, мир\n");
                assertThat(server.out.text()).contains("Получено: Привет, мир");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unset", "C"})
    void helpIsUtf8AndSaysHowArgumentsAreDecoded(String locale) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (String name : List.of("LANG", "LC_ALL", "LC_CTYPE", "LANGUAGE")) {
            env.put(name, null);
        }
        if (!locale.equals("unset")) {
            env.put("LC_ALL", locale);
        }
        try (ChildProcess help = new ChildProcess(ChildProcess.java(Main.class.getName(), "echo-client", "--help"),
                env)) {
            assertThat(help.waitFor(WAIT)).isZero();
            assertThat(help.out.text()).contains("Привет, Как дела?, Пока", "Text is UTF-8")
                    .doesNotContain("?????");
        }
    }
}
