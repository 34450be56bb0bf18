package dev.streams.netty.internal;

import dev.streams.netty.StreamOptions;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;

/**
 * The one handler between a Netty channel and a stream connection: the last inbound handler of the pipeline.
 *
 * <p><b>Buffer ownership.</b> Every {@link ByteBuf} that reaches {@link #channelRead} is handed to the connection's
 * reader, which owns it from then on (see {@link ByteBufStreamReader}). Other messages pass on untouched. STARTTLS
 * takes the reader's unread bytes back and hands them to the new {@link SslHandler}, which owns them from then on.
 *
 * <p><b>Events.</b> The connection is {@linkplain #ready() ready} once the channel is active and, with TLS in front,
 * the handshake is done. Input shutdown and {@code channelInactive} are EOF for the reader; {@code exceptionCaught}
 * fails the reader and closes the channel; {@code channelWritabilityChanged} releases the writer's drainers;
 * {@code channelReadComplete} flushes the writes made while reading. Removing the handler ends the stream as EOF
 * (unread bytes stay readable from the heap) and sends what was written before; later writes are dropped and
 * {@code drain()} fails.
 */
public final class StreamsChannelHandler extends ChannelInboundHandlerAdapter implements ReadControl {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(StreamsChannelHandler.class);

    private final NettyStreamConnection connection;
    private final StreamOptions options;
    private final CompletableFuture<NettyStreamConnection> ready = new CompletableFuture<>();

    private ChannelHandlerContext ctx;
    private boolean activated;
    private boolean ended;
    private boolean inRead;
    private boolean flushAtReadComplete;
    /** The first error of the connection; event-loop only. */
    private Throwable error;
    private volatile String name;

    /**
     * @param channel the channel this handler will be added to
     * @param options the limit, and the TLS timeouts for STARTTLS
     */
    public StreamsChannelHandler(Channel channel, StreamOptions options) {
        ByteBufStreamReader reader = new ByteBufStreamReader(options.limit(), this);
        this.connection = new NettyStreamConnection(reader, new ChannelStreamWriter(channel, this), this);
        this.options = options;
    }

    /** The reader's back-pressure: the channel's autoRead. */
    @Override
    public void setReading(boolean reading) {
        connection.writer().channel().config().setAutoRead(reading);
    }

    /** The connection over the channel. */
    public NettyStreamConnection connection() {
        return connection;
    }

    /**
     * Completes on the event loop once the connection can be used: the channel is active and a TLS handshake in
     * front of this handler is done. Fails with the handshake's error, or the channel's, when it closes first.
     */
    public CompletableFuture<NettyStreamConnection> ready() {
        return ready;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            activate();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activate();
        ctx.fireChannelActive();
    }

    private void activate() {
        if (activated) {
            return;
        }
        activated = true;
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            ready.complete(connection);
            return;
        }
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                ready.complete(connection);
            } else {
                ready.completeExceptionally(f.cause());
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            inRead = true;
            connection.reader().feedData((ByteBuf) msg); // the reader owns msg from here on
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (flushAtReadComplete) {
            flushAtReadComplete = false;
            connection.writer().flushNow(); // the writes made while reading, gathered in the writer's pending buffer
        }
        ctx.fireChannelReadComplete();
    }

    /** Called by the writer on the event loop: true when the flush will happen at {@code channelReadComplete}. */
    boolean deferFlushToReadComplete() {
        if (inRead) {
            flushAtReadComplete = true;
            return true;
        }
        return false;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            connection.reader().feedEof();
            if (!ready.isDone()) {
                // The peer left during the TLS handshake: nothing can complete it, so the socket would stay open
                // until the handshake timeout. Closing fails the handshake (and ready()) now.
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A closing channel turns writable as its queue is dropped: that must not complete drainers (they fail at
        // channelInactive instead).
        if (ctx.channel().isActive() && ctx.channel().isWritable()) {
            connection.writer().releaseDrainers();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ClosedChannelException && (ended || !ctx.channel().isActive())) {
            return; // a write that raced with the close: the close already told everyone
        }
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
            cause = cause.getCause(); // the TLS error itself, as the handshake future reports it
        }
        if (error == null) {
            error = cause;
            LOG.debug("{} failed", connectionName(), cause);
        }
        connection.reader().setException(cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        end();
    }

    /** The connection ended: EOF (or the error) for the reader, closed for the writer. */
    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        connection.reader().feedEof();
        connection.writer().connectionLost(error);
        ready.completeExceptionally(error != null ? error : new ClosedChannelException());
    }

    /** STARTTLS; see {@link dev.streams.netty.NettyStreamWriter#startTls}. Runs on the event loop. */
    CompletableFuture<Void> startTls(SslContext context, String serverHostname) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Channel channel = connection.writer().channel();
        channel.eventLoop().execute(() -> {
            try {
                if (ended || !channel.isActive()) {
                    throw new ClosedChannelException();
                }
                if (channel.pipeline().get(SslHandler.class) != null) {
                    throw new IllegalStateException("TLS is already on: " + connectionName());
                }
                SocketAddress remote = channel.remoteAddress();
                String host = serverHostname != null ? serverHostname
                        : remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getHostString() : null;
                int port = remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getPort() : -1;
                SslHandler ssl = Tls.newHandler(context, channel.alloc(), host, port, options);
                connection.writer().afterQueuedWrites(channel::flush); // what was written before leaves in plaintext
                channel.pipeline().addBefore(ChannelSetup.tlsPlace(channel.pipeline(), ctx.name()), null, ssl);
                ssl.handshakeFuture().addListener(f -> {
                    if (f.isSuccess()) {
                        done.complete(null);
                    } else {
                        done.completeExceptionally(f.cause());
                    }
                });
                ByteBuf early = connection.reader().takeBuffered(); // ours now
                if (early.isReadable()) {
                    // Bytes that came with the plaintext belong to TLS: the SslHandler owns them from here on.
                    ChannelHandlerContext sslCtx = channel.pipeline().context(ssl);
                    ssl.channelRead(sslCtx, early);
                    ssl.channelReadComplete(sslCtx);
                } else {
                    early.release();
                }
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }

    /** {@code StreamConnection[local -> remote]}, for logs and messages. */
    String connectionName() {
        String known = name;
        if (known != null) {
            return known;
        }
        Channel channel = connection.writer().channel();
        SocketAddress local = channel.localAddress();
        SocketAddress remote = channel.remoteAddress();
        String made = "StreamConnection[" + format(local) + " -> " + format(remote) + "]";
        if (local != null && remote != null) {
            name = made;
        }
        return made;
    }

    private static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        SocketAddress typed = typed(address);
        if (typed instanceof UnixDomainSocketAddress) {
            String path = ((UnixDomainSocketAddress) typed).getPath().toString();
            return path.isEmpty() ? "unix:(unnamed)" : "unix:" + path;
        }
        return String.valueOf(address);
    }

    /** Netty's epoll {@link DomainSocketAddress} as the JDK's {@link UnixDomainSocketAddress}; others as they are. */
    static SocketAddress typed(SocketAddress address) {
        if (address instanceof DomainSocketAddress) {
            return UnixDomainSocketAddress.of(((DomainSocketAddress) address).path());
        }
        return address;
    }
}
