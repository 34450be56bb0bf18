package dev.streams;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A listening server: asyncio's {@code Server}.
 *
 * <p>{@link #close()} stops accepting and leaves existing connections alone; {@link #closeClients()} closes them
 * gracefully and {@link #abortClients()} resets them; {@link #waitClosed()} waits for the server to be closed
 * <em>and</em> every client connection to end.
 */
public interface StreamServer extends AutoCloseable {

    /**
     * The addresses the server listens on.
     *
     * @return one address per bound socket, with the real port when port 0 was asked
     */
    List<SocketAddress> localAddresses();

    /**
     * Whether the server accepts connections.
     *
     * @return true while it does
     */
    boolean isServing();

    /**
     * Starts accepting, when the server was created with {@code startServing(false)}; a no-op when already serving.
     *
     * @throws IllegalStateException when the server is closed
     */
    void startServing();

    /**
     * Starts accepting (if needed) and returns a future that completes when the server is closed. Cancelling that
     * future closes the server, like cancelling asyncio's {@code serve_forever()}.
     *
     * @return a future that completes when the server is closed
     * @throws IllegalStateException when the server is closed
     */
    CompletableFuture<Void> serveForever();

    /**
     * Stops accepting and closes the listening sockets; existing connections stay. Idempotent. Called outside an
     * event loop, the sockets are closed when it returns (a new connection is refused); on an event loop it does not
     * wait.
     */
    @Override
    void close();

    /** Closes every client connection gracefully (queued bytes are flushed first). */
    void closeClients();

    /** Closes every client connection at once, dropping queued bytes (a reset where the transport can). */
    void abortClients();

    /**
     * Waits for the end of the server and of its clients.
     *
     * @return a future that completes once the server is closed and every client connection has ended
     */
    CompletableFuture<Void> waitClosed();

    /**
     * What this server has counted since it started: connections open, accepted and refused, bytes read and written,
     * the time spent waiting in {@code drain()}, handler failures (see {@link ServerMetrics} for each value's unit
     * and meaning). The counters are always on and cost a few memory writes per read and per buffer handed to the
     * network.
     *
     * @return the server's metrics: the same live view on every call, readable from any thread, also after the
     *         server is closed
     */
    ServerMetrics metrics();
}
