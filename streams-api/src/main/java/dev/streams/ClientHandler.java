package dev.streams;

import java.util.concurrent.CompletionStage;

/**
 * Serves one connection with futures, on the connection's event loop: asyncio's {@code client_connected_cb}.
 *
 * <p>When the returned stage completes, the connection is closed (after a flush). When this method throws or the
 * stage fails, the failure is logged once with the connection's name and the connection is closed; the server goes
 * on serving. Do not block in this method or in its stages: they run on an event loop shared with other connections
 * (use a {@link BlockingClientHandler} for blocking code).
 */
@FunctionalInterface
public interface ClientHandler {

    /**
     * Starts serving a new connection.
     *
     * @param reader the connection's reader
     * @param writer the connection's writer
     * @return a stage that completes when the handler is done with the connection; {@code null} counts as done
     * @throws Exception anything: logged once with the connection's name, and the connection is closed
     */
    CompletionStage<?> handle(StreamReader reader, StreamWriter writer) throws Exception;
}
