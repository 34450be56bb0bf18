package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** EXAMPLES.md documents every subcommand with an example, and shows what {@code demo} really prints. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DocsTest {

    /** Surefire runs in the module's directory. */
    static final Path DOC = Path.of("EXAMPLES.md");

    @ParameterizedTest
    @ValueSource(strings = {"demo", "echo-server", "echo-client", "http-get", "attach-demo", "tutorial-echo-server",
        "tutorial-echo-client", "tutorial-http-get"})
    void everySubcommandHasASectionAndAnExample(String command) throws Exception {
        String doc = Files.readString(DOC);
        assertThat(doc).contains("\n## " + command + "\n")
                .contains("java -jar streams-examples/target/streams-examples.jar " + command);
    }

    /** What {@code demo} and {@code attach-demo} print, under their marker ({@code <!-- demo-output}...). */
    @ParameterizedTest
    @CsvSource({"demo, <!-- demo-output", "attach-demo, <!-- attach-demo-output"})
    void demoOutputIsTheRealOne(String command, String marker) throws Exception {
        String doc = Files.readString(DOC);
        assertThat(doc).contains(marker);
        String afterMarker = doc.substring(doc.indexOf(marker));
        int start = afterMarker.indexOf("```text\n") + "```text\n".length();
        String shown = afterMarker.substring(start, afterMarker.indexOf("```\n", start));

        Capture out = new Capture();
        assertThat(Main.run(new String[] {command}, out.stream, new Capture().stream)).isZero();

        assertThat(normalize(shown)).isEqualTo(normalize(out.text()));
    }

    /** Ports vary, and so does the kind of threads (Java 17 or 21+). */
    static String normalize(String text) {
        return text.replaceAll("127\\.0\\.0\\.1:\\d+", "127.0.0.1:PORT")
                .replaceAll("BlockingClientHandler server \\([^)]*\\)", "BlockingClientHandler server (THREADS)")
                .strip();
    }
}
