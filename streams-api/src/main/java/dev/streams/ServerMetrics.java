package dev.streams;

/**
 * What a {@link StreamServer} has counted since it started: its connections, the bytes its connections read and
 * wrote, the time their writers waited in {@link StreamWriter#drain()}, and the failures of its handlers.
 *
 * <p><b>A live view.</b> {@link StreamServer#metrics()} returns the same object every time; each getter reads the
 * current value of one counter, from any thread, without a lock and without allocating (a few memory reads; cheap
 * enough to call on every scrape). The getters are not read together: values read one after the other may be a few
 * events apart (a connection may be counted as accepted and not yet as open). Every value except
 * {@link #connectionsOpen()} is a monotonic counter: it only grows, from 0 when the server starts, and stays readable
 * after the server is closed.
 *
 * <p><b>What is counted.</b> Every connection the server accepts is either served or refused: {@link
 * #connectionsAccepted()} + {@link #connectionsRefused()} is every connection accepted from the listening sockets.
 * Bytes are the application's bytes, above TLS (plaintext, not records), counted by the library as the connection's
 * handler moves them — bytes read when they arrive from the network (whether or not a read takes them), bytes written
 * when the writer hands them to the channel for sending (bytes then lost with a failed connection are counted).
 * Client connections ({@code openConnection}, {@code attach}) belong to no server and are counted nowhere.
 */
public interface ServerMetrics {

    /**
     * The connections open now: served and not yet closed (a gauge, not a counter).
     *
     * @return the count, {@code >= 0}
     */
    long connectionsOpen();

    /**
     * The connections accepted and served since the server started: each got the server's pipeline (and, with TLS,
     * its handshake, whether that succeeded or not). Refused connections are not in it.
     *
     * @return the count since the server started
     */
    long connectionsAccepted();

    /**
     * The connections accepted and closed at once, unserved, because the server's connection limit was reached
     * ({@code maxConnections} of the implementation's options); always 0 without a limit.
     *
     * @return the count since the server started
     */
    long connectionsRefused();

    /**
     * The bytes the server's connections received, in bytes: plaintext (after TLS), counted as they arrive from the
     * network, before any read takes them.
     *
     * @return the count since the server started
     */
    long bytesRead();

    /**
     * The bytes the server's connections wrote, in bytes: plaintext (before TLS), counted when the writer hands them
     * to the network layer for sending; bytes a lost connection then never sends are included.
     *
     * @return the count since the server started
     */
    long bytesWritten();

    /**
     * The {@link StreamWriter#drain()} calls that had to wait (the connection was above its high water mark); a
     * {@code drain()} that completed at once is not counted. A wait is counted when it ends.
     *
     * @return the count since the server started
     */
    long drainWaits();

    /**
     * The time the {@linkplain #drainWaits() waiting} {@code drain()} calls waited, in nanoseconds, summed: each
     * from the call until its future completed — the connection became writable, the connection was lost, or the
     * caller cancelled or timed the future out. A wait is added when it ends; waits still under way are not in it.
     *
     * @return the total since the server started, in nanoseconds
     */
    long drainWaitNanos();

    /**
     * The handlers that failed: a handler that threw, or whose stage failed, with its own exception — the failures
     * the server logs at WARN. A handler that ends because its connection was lost (a peer's reset, a TLS error,
     * the idle timeout) is no handler failure and is not counted.
     *
     * @return the count since the server started
     */
    long handlerFailures();
}
