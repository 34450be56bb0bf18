package dev.streams.netty;

import dev.streams.StreamWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;

/**
 * The writer of a Netty connection: a {@link StreamWriter} plus writes that hand a {@link ByteBuf} over without a copy,
 * files sent without a copy ({@link #sendFile}), STARTTLS and the channel underneath. Every writer this library makes
 * is one (cast a handler's {@code StreamWriter}).
 */
public interface NettyStreamWriter extends StreamWriter {

    /**
     * Queues {@code data}'s readable bytes without copying them: <b>ownership of {@code data} passes to the writer</b>
     * with the call, which releases it once it is written, when the connection ends before that, or at once when the
     * write is refused or dropped. The caller must not touch {@code data} afterwards (retain it first to keep it).
     * Ordered with the other writes, and counted against the water marks like them; otherwise as
     * {@link #write(byte[])}.
     *
     * @param data the bytes, owned by the writer from now on
     * @throws NullPointerException  when {@code data} is null
     * @throws IllegalStateException after {@link #close()}, {@link #abort()} or {@link #writeEof()} ({@code data} is
     *                               released)
     */
    void write(ByteBuf data);

    /**
     * Sends {@code count} bytes of {@code file} from {@code position}, in order with the writes around it (asyncio's
     * {@code loop.sendfile}): the writes made before this call go out before the file, those made after it (by the
     * same thread, or ordered after it) go out after it.
     *
     * <p><b>How.</b> On a plain TCP or Unix domain socket over epoll or NIO the bytes go from the file to the socket
     * without being copied through the JVM: Netty's {@code DefaultFileRegion}, which epoll sends with
     * {@code sendfile(2)} and NIO with {@code FileChannel.transferTo}. When a handler in the pipeline must see the
     * bytes — TLS (an {@code SslHandler}, also one added by {@link #startTls}), the {@code wiretap} logger, or any
     * outbound handler the application added — and on io_uring or other channels, the file is read in chunks of up
     * to 64 KiB into pooled buffers that go through the pipeline; a chunk is read only while the channel is writable,
     * so no more than the high water mark (plus one chunk) is ever queued. Which way is chosen when the send starts,
     * on the event loop. The chunks are read on the event loop (a file in the page cache costs little; a file on a
     * slow disk holds the loop's other connections up meanwhile).
     *
     * <p><b>Back-pressure.</b> The bytes not yet sent count against the water marks like written ones:
     * {@link #drain()} waits while more than the high water mark of the file (and of anything else) is still to go,
     * and completes as the file's progress brings it below.
     *
     * <p><b>The file</b> stays the caller's: it is never closed here, and its own position is neither used nor
     * changed (reads are positional, like {@link FileChannel#transferTo}). It must stay open, and the range readable,
     * until the returned future completes. A file that cannot be read to the end of the range (it shrank, or a read
     * failed) fails the future with that {@code IOException} and closes the connection, since the peer can no longer
     * get the bytes it was promised in order.
     *
     * <p><b>Cancelling</b> the returned future does not stop the transfer: the bytes are part of the ordered stream
     * and stopping half-way would hand the peer a truncated file followed by the next write. Use {@link #abort()} to
     * stop it (the future then fails).
     *
     * @param file     the file to send from; stays open and owned by the caller
     * @param position the offset in {@code file} of the first byte to send
     * @param count    the number of bytes to send; {@code 0} completes at once with {@code 0}
     * @return completes, on the event loop, with {@code count} once the last byte was written to the socket; fails
     *         with the connection's cause (what {@link #drain()} reports) when it is lost before that, and with the
     *         file's {@code IOException} when it could not be read (also when its size cannot be read now)
     * @throws NullPointerException     when {@code file} is null
     * @throws IllegalArgumentException when {@code position} or {@code count} is negative, or the range ends past
     *                                  the file's size now (unlike asyncio, which sends what there is: a range that
     *                                  is not there is the caller's mistake)
     * @throws IllegalStateException    after {@link #close()}, {@link #abort()} or {@link #writeEof()}, like
     *                                  {@code write}; a {@code NonReadableChannelException} when {@code file} was not
     *                                  opened for reading
     */
    CompletableFuture<Long> sendFile(FileChannel file, long position, long count);

    /**
     * Upgrades the live connection to TLS in place (STARTTLS), like asyncio's {@code StreamWriter.start_tls}.
     * Everything written before this call goes out in plaintext, everything after it encrypted. Bytes the reader
     * already holds (a peer's ClientHello that arrived in the same packet as the STARTTLS line) are handed to the TLS
     * layer first. A client context verifies {@code serverHostname}; a server context ignores it. A {@link #sendFile}
     * made before this call goes out in plaintext like any write: when it goes in chunks (the connection has the
     * wiretap or another outbound handler) TLS starts after its last chunk.
     *
     * @param sslContext     the context: a client one makes this side the TLS client, a server one the server
     * @param serverHostname for a client: the name to send in SNI and check; {@code null} uses the host string of
     *                       the remote address
     * @return completes when the handshake is done; fails with its error (the connection is then closed), or with
     *         {@link IllegalStateException} when TLS is already on
     */
    CompletableFuture<Void> startTls(SslContext sslContext, String serverHostname);

    /**
     * The channel this writer writes to (for applications that mix streams with their own handlers). Writes made
     * through this writer on the event loop are gathered and reach the channel at the end of the event-loop turn (or
     * when the writer next flushes, closes or hands bytes on); a message written straight to the channel in between
     * can therefore overtake them.
     *
     * @return the channel
     */
    Channel channel();
}
