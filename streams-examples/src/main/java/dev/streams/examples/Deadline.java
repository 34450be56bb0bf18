package dev.streams.examples;

import dev.streams.Await;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A point in time every wait must end by ({@code --max-time}), or none. {@link #await} is {@link Await#await} with
 * the time that is left; a timed-out read is cancelled (it loses no bytes) and {@link SocketTimeoutException} thrown.
 */
public final class Deadline {

    /** No deadline: waits without end. */
    public static final Deadline NONE = new Deadline(Long.MAX_VALUE, null);

    private final long endNanos;
    private final Duration total;

    private Deadline(long endNanos, Duration total) {
        this.endNanos = endNanos;
        this.total = total;
    }

    /** A deadline {@code total} from now. */
    public static Deadline after(Duration total) {
        return new Deadline(System.nanoTime() + total.toNanos(), total);
    }

    /** The time left, or {@code null} without a deadline. */
    public Duration remaining() {
        if (total == null) {
            return null;
        }
        return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }

    /** Waits for {@code stage} until the deadline. */
    public <T> T await(CompletionStage<T> stage) throws IOException {
        Duration left = remaining();
        try {
            return Await.await(stage, left);
        } catch (SocketTimeoutException e) {
            if (total == null) {
                throw e;
            }
            SocketTimeoutException timedOut = new SocketTimeoutException("timed out: the --max-time of "
                    + seconds(total) + " s is over");
            timedOut.initCause(e);
            throw timedOut;
        }
    }

    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? Long.toString(duration.toSeconds())
                : String.format(java.util.Locale.ROOT, "%.3f", duration.toMillis() / 1000.0);
    }
}
