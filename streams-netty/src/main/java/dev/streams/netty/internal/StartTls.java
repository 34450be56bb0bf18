package dev.streams.netty.internal;

import dev.streams.netty.StreamOptions;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;

/**
 * STARTTLS on a connection that began in plaintext ({@link dev.streams.netty.NettyStreamWriter#startTls}, the one
 * route): an {@link SslHandler} goes in front of the {@link StreamsChannelHandler} (in front of the wire log, so that
 * it logs plaintext), in the write order: the writes made before it leave in plaintext, the later ones go through it;
 * a server's gets a {@link RenegotiationGuard} in front of it, which sees every received byte TLS gets.
 *
 * <p><b>Buffer ownership.</b> Bytes that arrived with the plaintext and were not read (a ClientHello in the same
 * packet as the STARTTLS line) belong to TLS: they are taken back from the reader
 * ({@link ByteBufStreamReader#takeBuffered}) and handed to the new {@code SslHandler}, which owns them from then on.
 *
 * <p>Static, without state of its own: it works on the connection's channel, on its event loop.
 */
final class StartTls {

    private StartTls() {
    }

    /**
     * Starts TLS on the connection of {@code streams}, in the write order: what was written before this call leaves in
     * plaintext, what is written after it goes through TLS ({@link WriteQueue#inOrder}; behind a file being sent in
     * chunks).
     *
     * @param serverHostname the server's name for a client (SNI and verification); null for the remote address's
     * @return completes when the handshake is done; fails with its error, with {@link ClosedChannelException} when the
     *         connection ended, or with {@link IllegalStateException} when TLS is on already
     */
    static CompletableFuture<Void> start(StreamsChannelHandler streams, StreamOptions options, SslContext context,
                                         String serverHostname) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        streams.connection().writer().queue().inOrder(() -> install(streams, options, context, serverHostname, done));
        return done;
    }

    /** Puts the TLS handlers in; fails {@code done} instead when the connection (or its event loop) is gone. */
    private static void install(StreamsChannelHandler streams, StreamOptions options, SslContext context,
                                String serverHostname, CompletableFuture<Void> done) {
        NettyStreamConnection connection = streams.connection();
        Channel channel = connection.writer().channel();
        try {
            if (streams.ended() || !channel.isActive() || !channel.eventLoop().inEventLoop()) {
                throw new ClosedChannelException(); // off the loop only when the loop is gone (WriteQueue.inOrder)
            }
            ChannelHandlerContext ctx = channel.pipeline().context(streams); // still in the pipeline: not ended
            if (channel.pipeline().get(SslHandler.class) != null) {
                throw new IllegalStateException("TLS is already on: " + streams.connectionName());
            }
            SocketAddress remote = channel.remoteAddress();
            String host = serverHostname != null ? serverHostname
                    : remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getHostString() : null;
            int port = remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getPort() : -1;
            SslHandler ssl = Tls.newHandler(context, channel.alloc(), host, port, options);
            channel.flush(); // what was written before leaves in plaintext
            channel.pipeline().addBefore(ChannelSetup.tlsPlace(channel.pipeline(), ctx.name()), null, ssl);
            ChannelInboundHandler first = ssl; // where received bytes enter TLS
            if (!context.isClient()) {
                first = new RenegotiationGuard();
                channel.pipeline().addBefore(channel.pipeline().context(ssl).name(), null, first);
            }
            ssl.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(f.cause());
                }
            });
            ByteBuf early = connection.reader().takeBuffered(); // ours now
            if (early.isReadable()) {
                // Bytes that came with the plaintext belong to TLS (through the guard, as every later byte): the
                // first TLS handler owns them from here on.
                ChannelHandlerContext firstCtx = channel.pipeline().context(first);
                first.channelRead(firstCtx, early);
                first.channelReadComplete(firstCtx);
            } else {
                early.release();
            }
        } catch (Throwable t) {
            done.completeExceptionally(t);
        }
    }
}
