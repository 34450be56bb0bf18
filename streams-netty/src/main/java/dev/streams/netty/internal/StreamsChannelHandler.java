package dev.streams.netty.internal;

import dev.streams.netty.StreamOptions;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;

/**
 * The one handler between a Netty channel and a stream connection: the last inbound handler of the pipeline.
 *
 * <p><b>Buffer ownership.</b> Every {@link ByteBuf} that reaches {@link #channelRead} is handed to the connection's
 * reader, which owns it from then on (see {@link ByteBufStreamReader}). Other messages pass on untouched. STARTTLS
 * ({@link StartTls}) takes the reader's unread bytes back and hands them to the new {@link SslHandler}, which owns
 * them from then on. Connections are named in logs and messages by {@link ConnectionNames}.
 *
 * <p><b>Events.</b> The connection is {@linkplain #ready() ready} once the channel is active and, with TLS in front,
 * the handshake is done. Input shutdown, the peer's TLS close_notify ({@link SslCloseCompletionEvent}) and
 * {@code channelInactive} are EOF for the reader (after close_notify the channel stays open until it is closed from
 * this side, as after a TCP half-close); {@code exceptionCaught} and the {@linkplain IdleTimeout idle timeout} fail
 * the reader (never EOF: {@code atEof()} stays false) and close the channel; {@code channelWritabilityChanged}
 * releases the writer's drainers; {@code channelReadComplete} flushes the writes made while reading. Removing the
 * handler ends the stream as EOF (unread bytes stay readable from the heap) and sends what was written before; later
 * writes are dropped and {@code drain()} fails.
 *
 * <p><b>Logging.</b> The loss of a connection to an I/O error (a reset, a TLS error, the idle timeout) is an ordinary
 * network event: one DEBUG line, no stack trace. Anything else that reaches {@code exceptionCaught} (an exception of
 * a handler in the pipeline) is logged at WARN with the connection's name; running out of memory for the reader's
 * bytes at WARN in one line.
 */
public final class StreamsChannelHandler extends ChannelInboundHandlerAdapter {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(StreamsChannelHandler.class);

    private final NettyStreamConnection connection;
    private final StreamOptions options;
    /**
     * {@link #ready()}'s future until it completes successfully; null from then on (a connection that is up needs no
     * future of its own: {@code ready()} answers with a completed one). Completed and cleared on the event loop.
     */
    private volatile CompletableFuture<NettyStreamConnection> ready = new CompletableFuture<>();

    private ChannelHandlerContext ctx;
    private boolean activated;
    private boolean ended;
    /** The peer's close_notify was received: EOF, and nothing more can come. */
    private boolean tlsClosed;
    private boolean inRead;
    private boolean flushAtReadComplete;
    /** The first error of the connection; event-loop only. */
    private Throwable error;
    private volatile String name;
    /**
     * Metrics: the server's counters for this connection's event loop ({@link ServerCounters}); null on a client
     * connection. Set once by the server before the connection is ready, so before any user sees it.
     */
    private ServerCounters.Loop counters;

    /**
     * @param channel the channel this handler will be added to
     * @param options the limit, the idle timeout, and the TLS timeouts for STARTTLS
     */
    public StreamsChannelHandler(Channel channel, StreamOptions options) {
        ByteBufStreamReader reader = new ByteBufStreamReader(options.limit(), new ChannelReadControl(this));
        this.connection = new NettyStreamConnection(reader, new ChannelStreamWriter(channel, this), this);
        this.options = options;
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
        CompletableFuture<NettyStreamConnection> waiting = ready;
        return waiting != null ? waiting : CompletableFuture.completedFuture(connection); // null once it is up
    }

    /** The connection can be used: {@link #ready()} completes, and its future is let go. On the event loop. */
    private void readyNow() {
        CompletableFuture<NettyStreamConnection> waiting = ready;
        if (waiting != null) {
            ready = null; // from now on ready() answers with a completed future: one object less per connection
            waiting.complete(connection);
        }
    }

    /** The connection ended (or its handshake failed) before it was ready: {@link #ready()} fails with {@code cause}. */
    private void notReady(Throwable cause) {
        CompletableFuture<NettyStreamConnection> waiting = ready;
        if (waiting != null) {
            waiting.completeExceptionally(cause);
        }
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
            startIdleTimeout();
            readyNow();
            return;
        }
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                startIdleTimeout(); // after the handshake, which has its own timeout
                readyNow();
            } else {
                notReady(f.cause());
            }
        });
    }

    /** Adds the idle timeout's handler in front of this one, when the options have one. On the event loop. */
    private void startIdleTimeout() {
        if (options.idleTimeout() != null && !ended && !ctx.isRemoved() && idleTimeout() == null) {
            ctx.pipeline().addBefore(ctx.name(), null, new IdleTimeout(this, options.idleTimeout()));
        }
    }

    /**
     * The idle timeout's handler, found in the pipeline (not kept in a field: most connections have none); null
     * without the option, or before it is added or after it is removed.
     */
    private IdleTimeout idleTimeout() {
        return options.idleTimeout() == null ? null : ctx.pipeline().get(IdleTimeout.class);
    }

    /** Called by {@link IdleTimeout}: nothing was read or written for {@code timeout}. */
    void idle(Duration timeout) {
        fail(new SocketTimeoutException(connectionName() + " idle for " + format(timeout)
                + " (no byte read or written); closed by its idleTimeout"));
    }

    private static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? String.format("%,d s", millis / 1000) : String.format("%,d ms", millis);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            if (tlsClosed) {
                ReferenceCountUtil.release(msg); // ours: no data follows close_notify, and the reader is at EOF
                return;
            }
            inRead = true;
            if (counters != null) {
                counters.read(((ByteBuf) msg).readableBytes()); // metrics
            }
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
            connection.writer().queue().flushNow(); // the writes made while reading, gathered by the writer
        }
        ctx.fireChannelReadComplete();
    }

    /** Metrics: counts this server connection into {@code loopCounters}. On the event loop, before it is ready. */
    void countInto(ServerCounters.Loop loopCounters) {
        this.counters = loopCounters;
    }

    /** Metrics: the server's counters of this connection's event loop, or null on a client connection. */
    ServerCounters.Loop counters() {
        return counters;
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
            CompletableFuture<NettyStreamConnection> waiting = ready;
            if (waiting != null && !waiting.isDone()) { // not ready yet
                // The peer left during the TLS handshake: nothing can complete it, so the socket would stay open
                // until the handshake timeout. Closing fails the handshake (and ready()) now.
                ctx.close();
            }
        } else if (evt instanceof SslCloseCompletionEvent && ((SslCloseCompletionEvent) evt).isSuccess() && !ended) {
            // The peer's close_notify: the end of its data, as asyncio reads it. The channel stays open: a close()
            // from this side sends our close_notify and closes (SslHandler's close), as after any EOF.
            tlsClosed = true;
            connection.reader().feedEof();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A closing channel turns writable as its queue is dropped: that must not complete drainers (they fail at
        // channelInactive instead).
        if (ctx.channel().isActive() && ctx.channel().isWritable()) {
            connection.writer().queue().releaseDrainers();
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
        if (cause instanceof OutOfMemoryError) {
            // The allocator could not take a read: this connection cannot be served, the others go on.
            cause = new IOException("out of memory while reading: " + cause.getMessage(), cause);
        }
        cause = JdkExceptions.ofConnection(cause); // the JDK's types on every transport
        fail(cause);
    }

    /**
     * The connection failed with {@code cause}: logged once (see the class comment), the reader fails (the bytes
     * before stay readable), the channel closes, and {@link #end} fails the writer's drainers and waitClosed with it.
     * On the event loop.
     */
    void fail(Throwable cause) {
        if (error == null) {
            error = cause;
            log(cause);
        }
        connection.reader().setException(cause);
        if (!ended) {
            ctx.close(); // not after the handler was removed: the channel is the application's again
        }
    }

    private void log(Throwable cause) {
        if (cause instanceof IOException && cause.getCause() instanceof OutOfMemoryError) {
            LOG.warn("{}: {}; closing the connection", connectionName(), cause.getMessage());
        } else if (cause instanceof IOException) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}: connection lost: {}", connectionName(), String.valueOf(cause));
            }
        } else {
            LOG.warn("{}: exception in the pipeline; closing the connection", connectionName(), cause);
        }
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

    /**
     * The connection ended: EOF for the reader, or its error (which is not EOF: asyncio's {@code connection_lost(exc)}
     * feeds EOF only when {@code exc} is None); closed for the writer.
     */
    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        IdleTimeout idleTimeout = idleTimeout();
        if (idleTimeout != null) {
            ctx.pipeline().remove(idleTimeout); // its timer stops with it
        }
        if (error != null) {
            connection.reader().setException(error); // failed already; this moves bytes read since to the heap
        } else {
            connection.reader().feedEof();
        }
        connection.writer().connectionLost(error);
        notReady(error != null ? error : new ClosedChannelException());
    }

    /** STARTTLS; see {@link StartTls}. */
    CompletableFuture<Void> startTls(SslContext context, String serverHostname) {
        return StartTls.start(this, options, context, serverHostname);
    }

    /** Whether the connection ended ({@code channelInactive}, or this handler was removed). On the event loop. */
    boolean ended() {
        return ended;
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
        String made = ConnectionNames.of(local, remote);
        if (local != null && remote != null) {
            name = made; // kept once both are known
        }
        return made;
    }
}
