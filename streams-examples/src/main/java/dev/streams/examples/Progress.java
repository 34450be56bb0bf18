package dev.streams.examples;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn with {@code '\r'} at most every {@link #INTERVAL_NANOS}: bytes so far,
 * the percentage and a bar when the length is known, and the average speed.
 *
 * <pre>
 * [##########----------]  50%   10.0 MiB / 20.0 MiB   85.1 MiB/s
 *     3.2 MiB   12.4 MiB/s                                         (length unknown)
 * </pre>
 */
final class Progress {

    static final long INTERVAL_NANOS = 100_000_000L;
    private static final int BAR = 20;

    private final PrintStream err;
    private final long total;
    private final long start = System.nanoTime();
    private long bytes;
    private long lastDraw;
    private int lastWidth;

    /** @param total the expected length, or -1 when unknown */
    Progress(PrintStream err, long total) {
        this.err = err;
        this.total = total;
    }

    /** Counts {@code n} more bytes and redraws when it is time. */
    void add(int n) {
        bytes += n;
        long now = System.nanoTime();
        if (now - lastDraw >= INTERVAL_NANOS) {
            lastDraw = now;
            draw(now);
        }
    }

    /** Draws the final state and ends the line. */
    void finish() {
        draw(System.nanoTime());
        err.println();
        err.flush();
    }

    private void draw(long now) {
        double seconds = Math.max(1e-3, (now - start) / 1e9);
        String speed = size(bytes / seconds) + "/s";
        String line;
        if (total > 0) {
            int percent = (int) Math.min(100, bytes * 100 / total);
            int filled = percent * BAR / 100;
            line = String.format(Locale.ROOT, "[%s%s] %3d%%  %s / %s  %s", "#".repeat(filled),
                    "-".repeat(BAR - filled), percent, size(bytes), size(total), speed);
        } else {
            line = String.format(Locale.ROOT, "%s  %s", size(bytes), speed);
        }
        // Pad with spaces so that a shorter line fully covers the previous one.
        String padding = " ".repeat(Math.max(0, lastWidth - line.length()));
        lastWidth = line.length();
        err.print("\r" + line + padding);
        err.flush();
    }

    /** A size with a binary unit: {@code 512 B}, {@code 1.5 KiB}, {@code 20.0 MiB}. */
    static String size(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        while (bytes >= 1024 && unit < units.length - 1) {
            bytes /= 1024;
            unit++;
        }
        return unit == 0 ? String.format(Locale.ROOT, "%d B", (long) bytes)
                : String.format(Locale.ROOT, "%.1f %s", bytes, units[unit]);
    }
}
