package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static dev.streams.netty.reliability.Rel.HANG_SECONDS;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server that runs out of file descriptors survives it: a child JVM ({@link FdLimitServerMain}) serves with an
 * open-file limit of {@value #LIMIT} (set by {@code prlimit}, else by {@code ulimit -n} in a shell; skipped when
 * neither can), and gets {@value #EXTRA} more connections than that limit. Then all of them close, the server's
 * descriptor count ({@code /proc/PID/fd}) must return to where it started, an echo must answer, the server must have
 * logged one warning per episode (and nothing else: no {@code Error}, no dead thread), and it must stop cleanly.
 *
 * <p>Before the fix, Netty's warning about the failed accept went through {@code java.util.logging}, whose formatter
 * loaded the time-zone data at that moment, failed with {@code EMFILE}, and the {@code NoClassDefFoundError} ended the
 * event loop: the closed connections stayed in CLOSE_WAIT and the count never came down.
 *
 * <p>The child is another process: its state is polled (its descriptor count, its output) with a deadline.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DescriptorExhaustionTest {

    /** The child's open-file limit. */
    static final int LIMIT = 256;
    /** Connections beyond the limit (they wait in the backlog of 1,024). */
    static final int EXTRA = 64;

    private static final Pattern RECOVERED = Pattern.compile("accepting connections again after (\\d+) ms \\((\\d+)"
            + " failed accepts\\)");

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    static Stream<String> cases() {
        return Stream.of("plain epoll", "plain nio", "tls-JDK epoll", "tls-OPENSSL epoll");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aServerAtItsDescriptorLimitKeepsServingAndLetsGoOfEveryDescriptor(String scenario) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/PID/fd (Linux)");
        String[] parts = scenario.split(" ");
        boolean tls = parts[0].startsWith("tls");
        SslProvider provider = tls ? SslProvider.valueOf(parts[0].substring(4)) : null;
        boolean nio = parts[1].equals("nio");
        if (!nio) {
            Assumptions.assumeTrue(Transport.EPOLL.isAvailable(), "epoll is not available here");
        }
        if (provider == SslProvider.OPENSSL) {
            Assumptions.assumeTrue(OpenSsl.isAvailable(), "OpenSSL is not available here");
        }

        Path output = Files.createTempFile("fd-limit-server", ".out");
        Path cert = Files.createTempFile("fd-limit-server", ".pem");
        List<String> java = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx128m", "-XX:+UseSerialGC"));
        if (Runtime.version().feature() >= 22) {
            java.add("--enable-native-access=ALL-UNNAMED");
        }
        if (nio) {
            java.add("-Ddev.streams.transport=nio");
        }
        java.add(FdLimitServerMain.class.getName());
        if (tls) {
            java.addAll(List.of("tls", provider.name(), cert.toString()));
        } else {
            java.add("plain");
        }
        Process child = new ProcessBuilder(withOpenFileLimit(LIMIT, java)).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        List<Socket> attackers = new ArrayList<>();
        try {
            String pid = Long.toString(child.pid());
            awaitCondition("the child prints its port", child, output, () -> read(output).contains("PORT "));
            Matcher portLine = Pattern.compile("PORT (\\d+)").matcher(read(output));
            assertThat(portLine.find()).isTrue();
            int port = Integer.parseInt(portLine.group(1));
            long start = descriptors(pid);

            for (int i = 0; i < LIMIT + EXTRA; i++) {
                Socket socket = new Socket();
                attackers.add(socket);
                socket.connect(new InetSocketAddress(HOST, port), (int) TimeUnit.SECONDS.toMillis(HANG_SECONDS));
            }
            awaitCondition("the server reaches its limit of " + LIMIT + " descriptors", child, output,
                    () -> descriptors(pid) >= LIMIT);
            long atLimit = descriptors(pid);
            for (Socket socket : attackers) {
                socket.close();
            }
            awaitCondition("the server's descriptors return to " + start, child, output,
                    () -> descriptors(pid) <= start);
            long after = descriptors(pid);

            echo(port, clientOptions(tls, cert), "served again");

            child.getOutputStream().write("stop\n".getBytes(UTF_8));
            child.getOutputStream().flush();
            assertThat(child.waitFor(HANG_SECONDS, TimeUnit.SECONDS)).as("the child stops; output:%n%s",
                    read(output)).isTrue();
            String log = read(output);
            assertThat(child.exitValue()).as(log).isZero();
            assertThat(log).as("the child stopped cleanly").contains("STOPPED").doesNotContain("Exception in thread")
                    .doesNotContain("NoClassDefFoundError").doesNotContain("ExceptionInInitializerError");
            int warnings = count(log, "cannot accept connections");
            Matcher recovered = RECOVERED.matcher(log);
            int episodes = 0;
            long failedAccepts = 0;
            long episodeMillis = 0;
            while (recovered.find()) {
                episodes++;
                episodeMillis += Long.parseLong(recovered.group(1));
                failedAccepts += Long.parseLong(recovered.group(2));
            }
            assertThat(warnings).as("one warning per episode; output:%n%s", log).isEqualTo(episodes)
                    .isGreaterThanOrEqualTo(1);
            figure("descriptor-exhaustion-" + scenario.replace(' ', '-'), "open-file limit %d: server started with"
                    + " %d descriptors, %d connections opened, at the limit with %d, all closed: back to %d; echo"
                    + " answered; %d warning(s) for %d episode(s), %d failed accepts retried over %d ms", LIMIT,
                    start, attackers.size(), atLimit, after, warnings, episodes, failedAccepts, episodeMillis);
        } finally {
            for (Socket socket : attackers) {
                socket.close();
            }
            if (child.isAlive()) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(output);
            Files.deleteIfExists(cert);
        }
    }

    /** A line through a new connection comes back. */
    private static void echo(int port, ConnectOptions options, String text) throws IOException {
        Duration bound = Duration.ofSeconds(HANG_SECONDS);
        try (StreamConnection connection = await(NettyStreams.openConnection(HOST, port, options), bound)) {
            connection.writer().write((text + "\n").getBytes(UTF_8));
            assertThat(new String(await(connection.reader().readLine(), bound), UTF_8)).isEqualTo(text + "\n");
        }
    }

    private static ConnectOptions clientOptions(boolean tls, Path cert) throws IOException {
        ConnectOptions.Builder options = ConnectOptions.builder()
                .eventLoopGroup(TransportGroups.group(Transport.preferred()));
        if (tls) {
            options.sslContext(SslContextBuilder.forClient().trustManager(cert.toFile()).build());
        }
        return options.build();
    }

    /**
     * {@code command} run with an open-file limit of {@code limit}: through {@code prlimit}, else through
     * {@code ulimit -n} in {@code sh}; the test is skipped when neither works here.
     */
    static List<String> withOpenFileLimit(int limit, List<String> command) {
        List<String> limited = new ArrayList<>();
        if (runs("prlimit", "--nofile=64:64", "true")) {
            limited.addAll(List.of("prlimit", "--nofile=" + limit + ":" + limit));
        } else if (runs("sh", "-c", "ulimit -n 64")) {
            limited.addAll(List.of("sh", "-c", "ulimit -n " + limit + " && exec \"$@\"", "sh"));
        } else {
            Assumptions.abort("neither prlimit nor ulimit -n can lower the open-file limit here");
        }
        limited.addAll(command);
        return limited;
    }

    private static boolean runs(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(HANG_SECONDS, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The number of open descriptors of process {@code pid}. */
    private static long descriptors(String pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", pid, "fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc/" + pid + "/fd", e);
        }
    }

    private static String read(Path output) {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    /** Polls {@code condition} every 10 ms until it holds; fails after {@link Rel#HANG_SECONDS} or if the child dies. */
    private static void awaitCondition(String what, Process child, Path output, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_SECONDS);
        while (!condition.getAsBoolean()) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("not seen: " + what + (child.isAlive() ? "" : " (the child exited)")
                        + "; child output:\n" + read(output));
            }
            Thread.sleep(10); // polling another process's state, bounded by the deadline
        }
    }
}
