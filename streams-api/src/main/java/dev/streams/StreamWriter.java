package dev.streams;

import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSession;

/**
 * The writing half of a connection: asyncio's {@code StreamWriter} (with its transport's {@code abort}).
 *
 * <pre>{@code
 * writer.write(bytes);
 * await(writer.drain());      // cheap while the peer keeps up; waits while more than the high water mark is queued
 * writer.close();
 * await(writer.waitClosed());
 * }</pre>
 *
 * <p>Writes never block and never fail because the peer is slow: bytes are queued and flushed without the caller
 * asking (writes made in one event-loop turn share one flush). {@link #drain()} is the back-pressure: it waits while
 * the queue is above the high water mark (64 KiB by default) until it falls to the low water mark (16 KiB).
 * After the peer is gone, writes are dropped and {@code drain()} reports why.
 *
 * <p>Implementations are thread-safe: every method may be called from any thread.
 */
public interface StreamWriter {

    /**
     * Queues all of {@code data}. The bytes are copied before this returns, so the caller may reuse the array.
     *
     * @param data the bytes to send
     * @throws NullPointerException  when {@code data} is null
     * @throws IllegalStateException after {@link #close()}, {@link #abort()} or {@link #writeEof()}
     */
    void write(byte[] data);

    /**
     * Queues {@code len} bytes of {@code data} from {@code off}; copied before this returns.
     *
     * @param data the array holding the bytes
     * @param off  the index of the first byte to send
     * @param len  the number of bytes to send
     * @throws NullPointerException      when {@code data} is null
     * @throws IndexOutOfBoundsException when the range is outside the array
     * @throws IllegalStateException     after {@link #close()}, {@link #abort()} or {@link #writeEof()}
     */
    void write(byte[] data, int off, int len);

    /**
     * Queues the remaining bytes of {@code data} and advances its position to its limit; copied before this returns.
     *
     * @param data the buffer whose remaining bytes are sent
     * @throws NullPointerException  when {@code data} is null
     * @throws IllegalStateException after {@link #close()}, {@link #abort()} or {@link #writeEof()}
     */
    void write(ByteBuffer data);

    /**
     * Queues each array in turn, with one flush. Unlike asyncio's, these bytes count against the water marks.
     *
     * @param lines the arrays to send, in order (each copied before this returns)
     * @throws NullPointerException  when {@code lines} or one of its arrays is null
     * @throws IllegalStateException after {@link #close()}, {@link #abort()} or {@link #writeEof()}
     */
    void writeLines(Iterable<byte[]> lines);

    /**
     * Waits for the queue to go down: completes at once while the connection is writable (below the high water
     * mark), otherwise when it becomes writable again. Fails with the connection's cause once it is lost
     * ({@link java.nio.channels.ClosedChannelException} when it closed without an error). Any number of callers may
     * wait; cancelling one's future affects no other.
     *
     * @return a future that completes when the caller may write more
     */
    CompletableFuture<Void> drain();

    /**
     * Whether {@link #writeEof()} is supported.
     *
     * @return true on a TCP or Unix socket without TLS
     */
    boolean canWriteEof();

    /**
     * Flushes what is queued and then half-closes the connection (shutdownOutput): the peer reads EOF, and this side
     * goes on reading.
     *
     * @throws UnsupportedOperationException when {@link #canWriteEof()} is false (TLS)
     * @throws IllegalStateException         when called twice, or after {@link #close()}
     */
    void writeEof();

    /**
     * Closes the connection: idempotent; flushes what is queued, then closes. {@link #isClosing()} is true at once;
     * the reader sees EOF after the bytes it already holds.
     */
    void close();

    /**
     * Closes the connection at once, dropping what is queued; the peer sees a reset (RST) where the transport can
     * send one. Idempotent; a no-op after the connection closed.
     */
    void abort();

    /**
     * Whether the connection is closing or closed.
     *
     * @return true once {@link #close()} or {@link #abort()} was called or the connection ended
     */
    boolean isClosing();

    /**
     * Completes when the connection is closed; fails with the cause when the connection was lost with an error.
     *
     * @return a future that completes once the connection is closed
     */
    CompletableFuture<Void> waitClosed();

    /**
     * The peer's address.
     *
     * @return an {@code InetSocketAddress}, or a {@code UnixDomainSocketAddress} for Unix sockets
     */
    SocketAddress remoteAddress();

    /**
     * This side's address.
     *
     * @return the address, of the same type as {@link #remoteAddress()}
     */
    SocketAddress localAddress();

    /**
     * The TLS session.
     *
     * @return the session once the handshake has completed; empty on a plain connection
     */
    Optional<SSLSession> sslSession();

    /**
     * A blocking {@link OutputStream} over this writer, for code that takes one ({@code DataOutputStream},
     * {@code GZIPOutputStream}, a serializer):
     *
     * <pre>{@code
     * DataOutputStream out = new DataOutputStream(new BufferedOutputStream(writer.asOutputStream()));
     * out.writeInt(42);
     * out.flush();                      // waits for drain()
     * }</pre>
     *
     * <p>{@code write} queues the bytes, then waits while more than the high water mark is queued (as a socket's
     * stream blocks while its send buffer is full), so a writer that outpaces its peer never queues without bound.
     * {@code flush()} waits for {@link #drain()}. {@code close()} is the writer's {@link #close()}. Every call refuses
     * on an event-loop thread with {@link IllegalStateException}, as {@link Await#await} does; failures are the
     * connection's {@link java.io.IOException} (once the peer is gone, the next write or flush throws it), and a
     * write after the writer was closed is an {@code IOException}. Each write is a write of the writer: wrap the view
     * in a {@code BufferedOutputStream} when writing a few bytes at a time.
     *
     * @return a new view over this writer
     */
    default OutputStream asOutputStream() {
        return new WriterOutputStream(this);
    }
}
