package dev.streams.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A child process whose stdout and stderr are captured as they come; {@link #close()} kills it if still alive. */
final class ChildProcess implements AutoCloseable {

    final Process process;
    final Capture out = new Capture();
    final Capture err = new Capture();
    /** The threads copying the child's stdout and stderr, which end at the child's end of each stream. */
    private final Thread[] pumps = new Thread[2];

    ChildProcess(List<String> command) throws IOException {
        this(command, Map.of());
    }

    /** With {@code env} changed in the child's environment: a null value removes the variable. */
    ChildProcess(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("PYTHONIOENCODING", "utf-8");
        builder.environment().put("PYTHONUNBUFFERED", "1");
        env.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        process = builder.start();
        process.getOutputStream().close();
        pumps[0] = pump(process.getInputStream(), out, "stdout");
        pumps[1] = pump(process.getErrorStream(), err, "stderr");
    }

    /** True when {@code python3} runs here. */
    static boolean hasPython() {
        return runs("python3", "--version");
    }

    /** True when {@code openssl} runs here. */
    static boolean hasOpenSsl() {
        return runs("openssl", "version");
    }

    /** True when {@code command} runs here and exits 0 (within 10 s). */
    private static boolean runs(String... command) {
        try {
            Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
            check.getInputStream().readAllBytes();
            return check.waitFor(10, TimeUnit.SECONDS) && check.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The path of a test resource (the resources are copied to target/test-classes as files). */
    static String resource(String name) throws Exception {
        return Path.of(ChildProcess.class.getResource(name).toURI()).toString();
    }

    /** The java command of the running JVM, with the test class path. */
    static List<String> java(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED"); // as the jar's manifest says; no warning on stderr
        }
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Waits for the exit, and for everything the child wrote to be copied into {@link #out} and {@link #err} (the
     * copying threads may still be at it when the process has ended); returns the exit code.
     */
    int waitFor(Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("still running after " + timeout + "; stdout:\n" + out.text()
                    + "\nstderr:\n" + err.text());
        }
        for (Thread pump : pumps) {
            // A grandchild that inherited the streams can keep them open: wait for the copy, but not past the bound.
            pump.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Thread pump(InputStream in, Capture into, String name) {
        Thread thread = new Thread(() -> {
            try (in) {
                in.transferTo(into);
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "child-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
