package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a published library needs, checked on the build itself: the library modules' sources and javadoc jars (when
 * this build packaged them: the reactor packages streams-api and streams-netty before these tests run), and the
 * POM's metadata.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PublishingTest {

    /** Surefire runs in the module's directory; the repository is its parent. */
    static final Path ROOT = Path.of("..");

    @ParameterizedTest
    @CsvSource({"streams-api, dev/streams/StreamReader", "streams-netty, dev/streams/netty/NettyStreams"})
    void theLibraryModulesShipSourcesAndJavadoc(String module, String type) throws Exception {
        Path target = ROOT.resolve(module).resolve("target");
        String version = version();
        Path jar = target.resolve(module + "-" + version + ".jar");
        assumeTrue(Files.exists(jar), () -> module + " was not packaged in this build");
        try (ZipFile sources = new ZipFile(target.resolve(module + "-" + version + "-sources.jar").toFile());
             ZipFile javadoc = new ZipFile(target.resolve(module + "-" + version + "-javadoc.jar").toFile())) {
            assertThat(sources.getEntry(type + ".java")).isNotNull();
            assertThat(sources.getEntry("module-info.java")).isNotNull();
            assertThat(javadoc.getEntry("index.html")).isNotNull();
            assertThat(javadoc.stream().map(e -> e.getName()).filter(n -> n.endsWith(type + ".html"))).isNotEmpty();
        }
    }

    @Test
    void thePomSaysWhatARepositoryAsks() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        for (String element : List.of("name", "description", "url", "licenses", "developers", "scm")) {
            assertThat(pom).as(element).containsPattern("<" + element + "[ >]");
        }
        assertThat(pom).contains("<name>Apache License, Version 2.0</name>");
        assertThat(Files.readString(ROOT.resolve("LICENSE"))).contains("Apache License", "Version 2.0, January 2004");
        // The Java release is set once, as a property that the compiler, javadoc and the enforcer read.
        assertThat(pom.split("<maven.compiler.release>", -1)).hasSize(2);
        assertThat(pom).doesNotContain("<release>");
        for (String module : List.of("streams-api", "streams-netty", "streams-examples", "streams-benchmarks")) {
            String modulePom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            assertThat(modulePom).as(module).contains("<name>", "<description>").doesNotContain("<release>",
                    "maven.compiler.release");
        }
    }

    static String version() throws Exception {
        Matcher version = Pattern.compile("<artifactId>streams-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(version.find()).isTrue();
        return version.group(1);
    }
}
