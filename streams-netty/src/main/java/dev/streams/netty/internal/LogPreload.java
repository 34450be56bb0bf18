package dev.streams.netty.internal;

import java.time.ZonedDateTime;

/**
 * What logging needs, loaded before the process can run short of file descriptors.
 *
 * <p>Why: a log call is not free of failures. The JDK's {@code java.util.logging.SimpleFormatter} (Netty's fallback
 * backend) formats a time stamp, and the first time stamp of a JVM loads the time-zone data from
 * {@code lib/tzdb.dat} and {@code /etc/localtime}. When the process is out of file descriptors at that moment, the
 * {@code open} fails, the class initialisation of {@code ZoneInfoFile} fails for good ({@code NoClassDefFoundError}
 * from then on, every log line), and an {@code Error} thrown out of a handler ends the event loop's thread. So
 * {@link #preload()} loads that data while descriptors are free: before the first event loop group of ours and the
 * first server exist. The log calls of the moments of shortage ({@link AcceptGuard}, {@link ConnectionLimiter})
 * also drop whatever a logger throws.
 */
final class LogPreload {

    static {
        try {
            ZonedDateTime.now(); // the default time zone (TimeZone, /etc/localtime) and java.time's zone rules (tzdb.dat)
        } catch (RuntimeException | Error noTimeZoneData) {
            // Nothing to preload then; a formatter fails the same way later, and the callers named above drop the failure.
        }
    }

    private LogPreload() {
    }

    /** Loads what log formatting loads lazily from files (the class initialiser does it, once per JVM). */
    static void preload() {
        // Loading this class ran the static initialiser.
    }
}
