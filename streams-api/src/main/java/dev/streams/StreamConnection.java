package dev.streams;

/**
 * A connection: a {@link StreamReader} and a {@link StreamWriter}, what asyncio's {@code open_connection} returns as a
 * pair. Closing it closes the writer (a graceful close: queued bytes are flushed first).
 *
 * <p>{@code toString()} names both ends, as in {@code StreamConnection[127.0.0.1:50432 -> 127.0.0.1:8888]}; logs and
 * exception messages use it.
 */
public interface StreamConnection extends AutoCloseable {

    /**
     * The reading half.
     *
     * @return the reader
     */
    StreamReader reader();

    /**
     * The writing half.
     *
     * @return the writer
     */
    StreamWriter writer();

    /** {@code writer().close()}: idempotent, flushes first, does not wait (use {@code writer().waitClosed()}). */
    @Override
    void close();
}
