package dev.streams.netty.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real proxy program for tests, skipped cleanly when it is not installed: Debian's {@code microsocks} (SOCKS5;
 * {@code apt-get install microsocks}) and {@code tinyproxy} (HTTP CONNECT; {@code apt-get install tinyproxy}).
 *
 * <p>Neither can be told to pick a free port and say which, so a free port is found by binding {@code 127.0.0.1:0}
 * and closing it; the program is started on it and the start is retried on another port when the program exits
 * (someone took the port meanwhile). It is ready when it accepts a connection.
 */
public final class ExternalProxy implements AutoCloseable {

    private static final int ATTEMPTS = 5;
    private static final long READY_SECONDS = 20;

    private final Process process;
    private final int port;
    private final Path directory;
    private final Path log;

    private ExternalProxy(Process process, int port, Path directory, Path log) {
        this.process = process;
        this.port = port;
        this.directory = directory;
        this.log = log;
    }

    /** The directory of {@code program} on the PATH, or null. */
    public static Path find(String program) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/usr/sbin:/bin" : path + ":/usr/sbin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Starts microsocks on 127.0.0.1, with {@code -u user -P pass} when {@code username} is not null. */
    public static ExternalProxy microsocks(String username, String password) throws IOException, InterruptedException {
        Path program = find("microsocks");
        Assumptions.assumeTrue(program != null, "microsocks is not installed (apt-get install microsocks)");
        return start(port -> {
            List<String> command = new ArrayList<>(List.of(program.toString(), "-i", "127.0.0.1", "-p",
                    Integer.toString(port)));
            if (username != null) {
                command.addAll(List.of("-u", username, "-P", password));
            }
            return command;
        }, null);
    }

    /** Starts tinyproxy in the foreground on 127.0.0.1 (config in a temp dir), with Basic auth when asked. */
    public static ExternalProxy tinyproxy(String username, String password) throws IOException, InterruptedException {
        Path program = find("tinyproxy");
        Assumptions.assumeTrue(program != null, "tinyproxy is not installed (apt-get install tinyproxy)");
        Path directory = Files.createTempDirectory("tinyproxy");
        return start(port -> {
            // No ConnectPort line: CONNECT to any port is allowed.
            List<String> config = new ArrayList<>(List.of("Port " + port, "Listen 127.0.0.1", "Allow 127.0.0.1",
                    "Timeout 60", "MaxClients 50", "LogLevel Warning"));
            if (username != null) {
                config.add("BasicAuth " + username + " " + password);
            }
            Path file = directory.resolve("tinyproxy.conf");
            try {
                Files.write(file, config);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return List.of(program.toString(), "-d", "-c", file.toString());
        }, directory);
    }

    private interface Command {
        List<String> on(int port);
    }

    private static ExternalProxy start(Command command, Path directory) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress("127.0.0.1", 0));
                port = probe.getLocalPort();
            }
            Path log = Files.createTempFile("proxy", ".log");
            Process process = new ProcessBuilder(command.on(port)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (awaitReady(process, port)) {
                return new ExternalProxy(process, port, directory, log);
            }
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            String output = Files.readString(log);
            Files.delete(log);
            if (attempt == ATTEMPTS) {
                throw new IOException(command.on(port).get(0) + " did not start: " + output);
            }
        }
    }

    /** Waits until the program accepts on {@code port}; false when it exits first (the port was taken). */
    private static boolean awaitReady(Process process, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            } catch (IOException notYet) {
                // not listening yet: poll again (the program gives no other sign of readiness)
                process.waitFor(20, TimeUnit.MILLISECONDS);
            }
        }
        return false;
    }

    /** Its port. */
    public int port() {
        return port;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
        if (directory != null) {
            try (var files = Files.list(directory)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(directory);
        }
    }
}
