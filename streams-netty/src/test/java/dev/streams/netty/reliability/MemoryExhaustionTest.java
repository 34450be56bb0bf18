package dev.streams.netty.reliability;

import static dev.streams.netty.reliability.Rel.HANG_SECONDS;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static dev.streams.netty.reliability.Rel.mib;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reader limit larger than memory: a server in a child JVM with 32 MiB of heap and 64 MiB of direct memory, and a
 * limit of 200,000,000 bytes ({@code echo-server --limit 200000000}, as issue 12 reproduced it). A flood without
 * newlines first exhausts direct memory while the connection is open (the allocator fails a socket read), then a
 * 40 MiB line without a newline followed by EOF cannot be copied to the heap. Each time, the connection that could
 * not be served is closed (its peer sees the close within the hang bound), a WARN line says why, and another
 * connection still echoes; no buffer leaks, and the server stops cleanly. Before the fix, the first flood left its
 * connection open and never read again (the error escaped {@code exceptionCaught} before the close).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MemoryExhaustionTest {

    private static final int LIMIT = 200_000_000;

    /** The child JVM; its output is collected by a thread of its own. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final StringBuffer output = new StringBuffer();
        final int port;

        Child() throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx32m", "-XX:MaxDirectMemorySize=64m", "-Dio.netty.leakDetection.level=paranoid",
                    "-cp", System.getProperty("java.class.path")));
            if (Runtime.version().feature() >= 22) {
                command.add("--enable-native-access=ALL-UNNAMED");
            }
            command.addAll(List.of(SmallHeapEchoMain.class.getName(), Integer.toString(LIMIT)));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
            String first = out.readLine();
            while (first != null && !first.startsWith("PORT ")) {
                output.append(first).append('\n');
                first = out.readLine();
            }
            assertThat(first).as("the child's PORT line; its output:%n%s", output).isNotNull();
            port = Integer.parseInt(first.substring("PORT ".length()));
            Thread pump = new Thread(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        output.append(line).append('\n');
                    }
                } catch (IOException ignored) {
                    // the child is gone
                }
            }, "child-output");
            pump.setDaemon(true);
            pump.start();
        }

        /** Closes the child's standard input (it stops its server) and waits for its exit code. */
        int stop() throws Exception {
            process.getOutputStream().close();
            assertThat(process.waitFor(HANG_SECONDS, TimeUnit.SECONDS)).as("child exited; output:%n%s", output)
                    .isTrue();
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aConnectionTheServerCannotHoldIsClosedAndTheOthersGoOn() throws Exception {
        try (Child child = new Child()) {
            echoes(child.port);

            // 1. A flood that never ends: direct memory runs out while the connection is open.
            long[] flooded = flood(child.port, Long.MAX_VALUE, false);
            assertThat(flooded[1]).as("closed by the server (1 = EOF or reset)").isEqualTo(1);
            echoes(child.port);

            // 2. A line of 40 MiB, then EOF: the unread bytes do not fit in the heap.
            long[] eofCopy = flood(child.port, 40L << 20, true);
            assertThat(eofCopy[1]).as("closed by the server after EOF").isEqualTo(1);
            echoes(child.port);

            int code = child.stop();
            String output = child.output.toString();
            assertThat(code).as(output).isZero();
            assertThat(output).contains("STOPPED").doesNotContain("LEAK:");
            List<String> warnings = output.lines().filter(l -> l.contains("out of memory")).toList();
            assertThat(warnings).as(output).hasSizeGreaterThanOrEqualTo(2);
            figure("memory-exhaustion", "limit %,d, child -Xmx32m / 64 MiB direct: endless flood closed after %s"
                    + " sent; 40 MiB line + EOF closed; an echo after each; %d WARN lines, e.g. %s", LIMIT,
                    mib(flooded[0]), warnings.size(), warnings.get(0));
        }
    }

    /** One line echoed on a new connection. */
    private static void echoes(int port) throws IOException {
        try (Socket socket = new Socket(HOST, port)) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(HANG_SECONDS));
            socket.getOutputStream().write("ping\n".getBytes(US_ASCII));
            assertThat(new String(socket.getInputStream().readNBytes(5), US_ASCII)).isEqualTo("ping\n");
        }
    }

    /**
     * Sends up to {@code bytes} of {@code x} without a newline (from another thread), then half-closes when
     * {@code eof}; meanwhile waits for the server to close the connection.
     *
     * @return the bytes sent, and 1 when the server closed the connection (EOF or reset), 0 when it did not within
     *         the hang bound
     */
    private static long[] flood(int port, long bytes, boolean eof) throws Exception {
        try (Socket socket = new Socket(HOST, port)) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(HANG_SECONDS));
            AtomicLong sent = new AtomicLong();
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'x');
                try {
                    OutputStream out = socket.getOutputStream();
                    while (sent.get() < bytes) {
                        int n = (int) Math.min(chunk.length, bytes - sent.get());
                        out.write(chunk, 0, n);
                        sent.addAndGet(n);
                    }
                    if (eof) {
                        socket.shutdownOutput();
                    }
                } catch (IOException closedByTheServer) {
                    // what the endless flood expects
                }
            }, "flood");
            writer.setDaemon(true);
            writer.start();
            long closed;
            InputStream in = socket.getInputStream();
            try {
                closed = in.read() == -1 ? 1 : 0;
            } catch (SocketTimeoutException stillOpen) {
                closed = 0;
            } catch (IOException reset) {
                closed = 1;
            }
            socket.close(); // ends the writer if it is still blocked
            writer.join(TimeUnit.SECONDS.toMillis(HANG_SECONDS));
            return new long[] {sent.get(), closed};
        }
    }
}
