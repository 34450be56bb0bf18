package dev.streams.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library as a module: a consumer whose module-info says only {@code requires dev.streams.netty;}, compiled and
 * run on the module path in a child JVM, gets native epoll (AUTO and EPOLL), not a silent NIO. And where epoll cannot
 * load on Linux (its native jar missing), AUTO's fallback to NIO is logged at INFO with the reason.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ModulePathTest {

    private static final String CONSUMER = String.join("\n",
            "package demo.consumer;",
            "",
            "import dev.streams.StreamConnection;",
            "import dev.streams.StreamServer;",
            "import dev.streams.netty.ConnectOptions;",
            "import dev.streams.netty.NettyStreams;",
            "import dev.streams.netty.ServerOptions;",
            "import dev.streams.netty.TransportType;",
            "import java.net.InetSocketAddress;",
            "import java.nio.charset.StandardCharsets;",
            "",
            "public final class Main {",
            "    public static void main(String[] args) throws Exception {",
            "        for (TransportType type : new TransportType[] {TransportType.AUTO, TransportType.EPOLL}) {",
            "            try {",
            "                System.out.println(type + \" \" + threadOfAHandler(type));",
            "            } catch (Throwable t) {",
            "                System.out.println(type + \" failed: \" + t);",
            "            }",
            "        }",
            "    }",
            "",
            "    /** The name of the event-loop thread a future-style handler runs on. */",
            "    static String threadOfAHandler(TransportType type) throws Exception {",
            "        StreamServer server = NettyStreams.startServer((reader, writer) -> {",
            "            writer.write((Thread.currentThread().getName() + \"\\n\").getBytes(StandardCharsets.UTF_8));",
            "            writer.close();",
            "            return writer.waitClosed();",
            "        }, \"127.0.0.1\", 0, ServerOptions.builder().transport(type).build()).get();",
            "        try {",
            "            int port = ((InetSocketAddress) server.localAddresses().get(0)).getPort();",
            "            StreamConnection connection = NettyStreams.openConnection(\"127.0.0.1\", port,",
            "                    ConnectOptions.builder().transport(type).build()).get();",
            "            String line = new String(connection.reader().readLine().get(), StandardCharsets.UTF_8).strip();",
            "            connection.close();",
            "            return line;",
            "        } finally {",
            "            server.close();",
            "        }",
            "    }",
            "}",
            "");

    @TempDir
    static Path dir;

    @BeforeAll
    static void linuxWithEpoll() {
        assumeTrue(Epoll.isAvailable(), () -> "epoll does not load here on the class path: " + Epoll.unavailabilityCause());
    }

    /**
     * The library's modules and Netty's jars from this test's class path: streams-api and streams-netty (their
     * {@code classes} directories or jars, each with its module-info) and every netty jar but the test-only ones.
     */
    static List<String> modulePath() {
        List<String> path = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            boolean ours = entry.contains("streams-api") || entry.contains("streams-netty");
            boolean library = ours && !name.equals("test-classes") && !name.endsWith("-tests.jar");
            boolean netty = name.startsWith("netty-") && name.endsWith(".jar") && !name.contains("pkitesting");
            if (library || netty) {
                path.add(entry);
            }
        }
        return path;
    }

    @Test
    void aConsumerModuleThatRequiresOnlyTheLibraryRunsOnEpoll() throws Exception {
        Path source = dir.resolve("src/demo.consumer");
        Files.createDirectories(source.resolve("demo/consumer"));
        Files.writeString(source.resolve("module-info.java"), "module demo.consumer { requires dev.streams.netty; }\n");
        Files.writeString(source.resolve("demo/consumer/Main.java"), CONSUMER);
        Path classes = dir.resolve("classes");
        String modulePath = String.join(File.pathSeparator, modulePath());

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        List<String> options = List.of("-d", classes.toString(), "--module-path", modulePath,
                "--module-source-path", dir.resolve("src").toString(), "--module", "demo.consumer");
        boolean compiled = javac.getTask(diagnostics, null, null, options, null, null).call();
        assertThat(compiled).as("javac: %s", diagnostics).isTrue();

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", modulePath + File.pathSeparator + classes));
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=io.netty.common");
        }
        command.addAll(List.of("--module", "demo.consumer/demo.consumer.Main"));
        String output = run(command);

        assertThat(output).as("the consumer's output").containsPattern("(?m)^AUTO streams-epoll-")
                .containsPattern("(?m)^EPOLL streams-epoll-").doesNotContain("failed");
    }

    @Test
    void autoFallingBackToNioOnLinuxSaysWhyAtInfo() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("netty-transport-native-epoll"))
                .collect(Collectors.joining(File.pathSeparator));
        String output = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, PreferredTransportMain.class.getName()));

        assertThat(output).contains("preferred: NIO", "INFO",
                "native epoll is not available, using NIO: java.lang.UnsatisfiedLinkError",
                "netty-transport-native-epoll with classifier linux-");
        assertThat(output.split("native epoll is not available", -1)).as("logged once").hasSize(2);
    }

    /** Runs a child JVM to its end; returns its stdout and stderr together. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Path out = dir.resolve("child-" + System.nanoTime() + ".out");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean exited = child.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(exited).as("the child JVM ended; its output:%n%s", output).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        return output;
    }

    /** Run in a child JVM without the native epoll jars: asks for the preferred transport twice. */
    public static final class PreferredTransportMain {
        private PreferredTransportMain() {
        }

        /**
         * Prints the preferred transport.
         *
         * @param args none
         */
        public static void main(String[] args) {
            Transport.preferred();
            System.out.println("preferred: " + Transport.preferred());
        }
    }
}
