package dev.streams.examples;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a command prints, captured for a test: a {@link PrintStream} (UTF-8) whose text can be read at any time and
 * waited on (a line matching a pattern) without sleeping.
 */
final class Capture extends OutputStream {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(this, true, StandardCharsets.UTF_8);

    @Override
    public synchronized void write(int b) {
        bytes.write(b);
        notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        bytes.write(b, off, len);
        notifyAll();
    }

    synchronized byte[] bytes() {
        return bytes.toByteArray();
    }

    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Waits until the text has a match of {@code regex}; returns its first group. */
    synchronized String await(String regex, Duration timeout) throws InterruptedException, TimeoutException {
        Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> found = find(pattern);
            if (found.isPresent()) {
                return found.get();
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no match for " + regex + " in:\n" + text());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    private Optional<String> find(Pattern pattern) {
        Matcher matcher = pattern.matcher(text());
        return matcher.find() ? Optional.of(matcher.groupCount() > 0 ? matcher.group(1) : matcher.group())
                : Optional.empty();
    }
}
