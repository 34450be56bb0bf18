package dev.streams.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The first handler of every server channel: a server that cannot accept (out of file descriptors, {@code EMFILE} or
 * {@code ENFILE}; or out of memory for socket buffers) stays alive, stops accepting for {@link #RETRY_MILLIS} and
 * tries again, until an accept succeeds.
 *
 * <p>While it cannot accept, new connections wait in the listen backlog (and the kernel drops SYNs once that is
 * full); connections already open are served as before, and as soon as any of them closes, the next retry accepts.
 * Each <em>episode</em> (from the first failed accept to the next successful one, across all the server's sockets)
 * logs one WARN and, when it ends, one INFO with how long it lasted and how many retries failed; the failures between
 * are counted, not logged.
 *
 * <p>Netty's own reaction would be worse at the limit: its acceptor pauses for a second and passes the error on to
 * the end of the pipeline, which logs a warning every time; a log call at that moment is what ended the event loop
 * (see {@link LogPreload}). So the error stops here. Everything this handler needs on the failure path (its retry task,
 * the logger, the time-zone data) exists before the server accepts its first connection: loading a class from a
 * directory of the class path needs a descriptor too.
 */
final class AcceptGuard extends ChannelInboundHandlerAdapter {

    /** How long accepting pauses after a failed accept before it is tried again, in milliseconds. */
    public static final long RETRY_MILLIS = 100;

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(AcceptGuard.class);

    static {
        LogPreload.preload();
    }

    private final Episodes episodes;
    /** Made now, not at the first failure (then no class could be loaded). */
    private final Runnable retry;
    private Channel channel;
    /** Event loop only. */
    private boolean paused;

    private AcceptGuard(Episodes episodes) {
        this.episodes = episodes;
        this.retry = this::retry;
    }

    /**
     * The server channel handler of one server: on each of its server channels an accept guard, then the
     * connection limiter when there is one.
     *
     * @param server  the server, for log messages
     * @param limiter the server's connection limiter, or null for no limit
     * @return a handler for {@code ServerBootstrap.handler}, shared by the server's channels
     */
    static ChannelHandler forServer(Object server, ConnectionLimiter limiter) {
        Episodes episodes = new Episodes(server);
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel serverChannel) {
                serverChannel.pipeline().addLast("streams-accept-guard", new AcceptGuard(episodes));
                if (limiter != null) {
                    serverChannel.pipeline().addLast("streams-connection-limit", limiter);
                }
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /** A connection was accepted: the end of an episode, if one was under way. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object child) {
        episodes.accepted();
        ctx.fireChannelRead(child); // the accepted channel goes on to the limiter and Netty's acceptor
    }

    /**
     * Every exception of a server channel comes from accepting (a failed bind fails the bind's future instead):
     * pause, retry later, count; not passed on.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        episodes.failed(cause);
        if (!paused && channel.config().isAutoRead()) {
            paused = true;
            channel.config().setAutoRead(false);
            ctx.executor().schedule(retry, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** The episodes so far (one warning each), across the server's channels. */
    long episodes() {
        return episodes.episodes.get();
    }

    /** The failed accepts so far, across the server's channels. */
    long failedAccepts() {
        return episodes.totalFailures.get();
    }

    private void retry() {
        paused = false;
        if (channel.isOpen()) {
            channel.config().setAutoRead(true); // reads (accepts) again at once
        }
    }

    /** The episodes of one server, shared by its server channels (each may run on its own event loop). */
    private static final class Episodes {
        private final Object server;
        private final AtomicBoolean failing = new AtomicBoolean();
        private final AtomicLong failures = new AtomicLong();
        private final AtomicLong totalFailures = new AtomicLong();
        private final AtomicLong episodes = new AtomicLong();
        private volatile long startNanos;

        Episodes(Object server) {
            this.server = server;
        }

        void failed(Throwable cause) {
            failures.incrementAndGet();
            totalFailures.incrementAndGet();
            if (!failing.get() && failing.compareAndSet(false, true)) {
                startNanos = System.nanoTime();
                episodes.incrementAndGet();
                try {
                    LOG.warn("{}: cannot accept connections ({}); accepting pauses and is retried every {} ms until"
                            + " it succeeds (one message when it does)", server, describe(cause), RETRY_MILLIS);
                } catch (Throwable failedToLog) {
                    // A logger that fails must not end the event loop (see LogPreload): the message is lost.
                }
            }
        }

        void accepted() {
            if (failing.get() && failing.compareAndSet(true, false)) {
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
                long failed = failures.getAndSet(0);
                try {
                    LOG.info("{}: accepting connections again after {} ms ({} failed accepts)", server, millis,
                            failed);
                } catch (Throwable failedToLog) {
                    // as above
                }
            }
        }

        private static String describe(Throwable cause) {
            return cause.getClass().getName() + ": " + cause.getMessage();
        }
    }
}
