package dev.streams.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server's {@code maxConnections}: on each of its server channels, in front of Netty's acceptor. An accepted
 * connection beyond the limit is closed at once (a FIN: the peer reads EOF), before any handler, TLS or buffer is set
 * up for it, and counted in the server's metrics ({@code connectionsRefused}).
 *
 * <p>The open count rises when a connection is accepted and falls when its channel closes, across all the server's
 * sockets and event loops (one atomic counter). A connection whose registration with its event loop fails (only when
 * that loop is shutting down) is not counted down; the server is going away then.
 *
 * <p>Each episode of refusals (from the first refusal to the next accepted connection) logs one WARN; its end is
 * logged at DEBUG with the count.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(ConnectionLimiter.class);

    private final Object server;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final ServerCounters counters;
    private final AtomicLong refusedThisEpisode = new AtomicLong();
    private final AtomicBoolean refusing = new AtomicBoolean();
    /** Counts a connection down when it closes. */
    private final ChannelFutureListener onClose = closed -> open.decrementAndGet();

    /**
     * @param server   for log messages
     * @param max      the most connections open at once, {@code > 0}
     * @param counters the server's counters, which count the refused connections
     * @throws IllegalArgumentException when {@code max <= 0}
     */
    ConnectionLimiter(Object server, int max, ServerCounters counters) {
        if (max <= 0) {
            throw new IllegalArgumentException("maxConnections <= 0: " + max);
        }
        this.server = server;
        this.max = max;
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        if (tryOpen()) {
            child.closeFuture().addListener(onClose);
            endEpisode();
            ctx.fireChannelRead(child); // on to Netty's acceptor, which registers it
            return;
        }
        counters.refused();
        refusedThisEpisode.incrementAndGet();
        child.unsafe().closeForcibly(); // not registered yet: closes its socket now
        if (!refusing.get() && refusing.compareAndSet(false, true)) {
            try {
                LOG.warn("{}: {} connections open (maxConnections): new connections are closed at once until one"
                        + " of them ends", server, max);
            } catch (Throwable failedToLog) {
                // A logger that fails must not end the event loop (see LogPreload): the message is lost.
            }
        }
    }

    private boolean tryOpen() {
        int now;
        do {
            now = open.get();
            if (now >= max) {
                return false;
            }
        } while (!open.compareAndSet(now, now + 1));
        return true;
    }

    private void endEpisode() {
        if (refusing.get() && refusing.compareAndSet(true, false)) {
            long refusedNow = refusedThisEpisode.getAndSet(0);
            try {
                LOG.debug("{}: accepting connections again; {} refused at maxConnections {}", server, refusedNow, max);
            } catch (Throwable failedToLog) {
                // as above
            }
        }
    }

    /**
     * The connections open now.
     *
     * @return the connections accepted and not yet closed
     */
    int open() {
        return open.get();
    }

    /**
     * The limit.
     *
     * @return the most connections open at once
     */
    int max() {
        return max;
    }
}
