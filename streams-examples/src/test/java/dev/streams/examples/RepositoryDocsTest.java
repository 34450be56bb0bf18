package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The repository's own documents: every relative link resolves to a file inside the repository (what a plain clone
 * has), the contract page exists and is what the README points to, and the README's server snippet keeps a
 * {@code main} alive.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RepositoryDocsTest {

    /** Surefire runs in the module's directory; the repository is its parent. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @ParameterizedTest
    @ValueSource(strings = {"README.md", "docs/CONTRACT.md", "streams-examples/EXAMPLES.md",
        "streams-netty/RELIABILITY.md", "streams-benchmarks/PERFORMANCE.md"})
    void everyRelativeLinkResolvesInsideTheRepository(String document) throws Exception {
        Path file = ROOT.resolve(document);
        List<String> broken = new ArrayList<>();
        Matcher link = LINK.matcher(Files.readString(file));
        while (link.find()) {
            String target = link.group(1);
            if (target.matches("[a-z]+:.*") || target.startsWith("#")) {
                continue; // a web address or an anchor in the same page
            }
            Path resolved = file.getParent().resolve(target.replaceFirst("#.*", "")).normalize();
            if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
                broken.add(target);
            }
        }
        assertThat(broken).as("links of %s that a clone cannot follow", document).isEmpty();
    }

    @Test
    void theReadmeLinksTheContractInTheRepository() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertThat(readme).contains("](docs/CONTRACT.md)").doesNotContain("shared/API.md");
        String contract = Files.readString(ROOT.resolve("docs/CONTRACT.md"));
        assertThat(contract).contains("## Reading: `StreamReader`", "## Writing: `StreamWriter`", "## `Await`",
                "## Exceptions", "## `NettyStreams` and the options", "## Server metrics");
    }

    @Test
    void theReadmesServerSnippetWaitsForTheServer() throws Exception {
        // Pasted into main, a snippet that starts a server and returns would end the JVM at once (daemon threads).
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<String> serverSnippets;
        try (Stream<String> blocks = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme).results()
                .map(m -> m.group(1))) {
            // A program that runs a server (not a reference list of calls, nor server and client in one conversation).
            serverSnippets = blocks.filter(code -> code.startsWith("StreamServer server = NettyStreams.startServer("))
                    .toList();
        }
        assertThat(serverSnippets).isNotEmpty()
                .allSatisfy(code -> assertThat(code).contains(".serveForever()"));
    }
}
