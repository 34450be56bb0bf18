package dev.streams.netty;

import dev.streams.StreamWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.CompletableFuture;

/**
 * The writer of a Netty connection: a {@link StreamWriter} plus writes that hand a {@link ByteBuf} over without a copy,
 * STARTTLS and the channel underneath. Every writer this library makes is one (cast a handler's
 * {@code StreamWriter}).
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
     * Upgrades the live connection to TLS in place (STARTTLS), like asyncio's {@code StreamWriter.start_tls}.
     * Everything written before this call goes out in plaintext, everything after it encrypted. Bytes the reader
     * already holds (a peer's ClientHello that arrived in the same packet as the STARTTLS line) are handed to the TLS
     * layer first. A client context verifies {@code serverHostname}; a server context ignores it.
     *
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
     */
    Channel channel();
}
