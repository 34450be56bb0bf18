package dev.streams.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.function.Consumer;

/**
 * The one handler between a Netty channel and a stream connection: the last inbound handler of the pipeline.
 *
 * <p><b>Buffer ownership.</b> Every {@link ByteBuf} that reaches {@link #channelRead} is handed to the connection's
 * reader, which owns it from then on (see {@link ByteBufStreamReader}). Other messages pass on untouched.
 *
 * <p><b>Events.</b> Input shutdown and {@code channelInactive} are EOF for the reader; {@code exceptionCaught} fails
 * the reader and closes the channel; {@code channelWritabilityChanged} releases the writer's drainers;
 * {@code channelReadComplete} flushes the writes made while reading. Removing the handler ends the stream as EOF
 * (unread bytes stay readable from the heap).
 */
public final class StreamsChannelHandler extends ChannelInboundHandlerAdapter {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(StreamsChannelHandler.class);

    private final Consumer<? super NettyStreamConnection> onActive;

    private final NettyStreamConnection connection;
    private boolean activated;
    private boolean ended;
    private boolean inRead;
    private boolean flushAtReadComplete;
    /** The first error of the connection; event-loop only. */
    private Throwable error;
    private volatile String name;

    /**
     * @param channel  the channel this handler will be added to
     * @param limit    the reader's limit
     * @param onActive called on the event loop once the channel is active, with the connection
     */
    public StreamsChannelHandler(Channel channel, int limit, Consumer<? super NettyStreamConnection> onActive) {
        ByteBufStreamReader reader = new ByteBufStreamReader(limit, reading -> channel.config().setAutoRead(reading));
        this.connection = new NettyStreamConnection(reader, new ChannelStreamWriter(channel, this), this);
        this.onActive = onActive;
    }

    /** The connection over the channel. */
    public NettyStreamConnection connection() {
        return connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
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
        if (!activated) {
            activated = true;
            onActive.accept(connection);
        }
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
            ctx.flush();
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
        return String.valueOf(address);
    }
}
