package dev.streams.netty.internal;

import dev.streams.StreamServer;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.ServerOptions;
import io.netty.channel.EventLoop;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where one blocking server's handlers run: the {@link BlockingScheduler} its options ask for, resolved against the
 * running JVM when the server starts. {@link BlockingScheduler#EVENT_LOOP}: a virtual thread per connection carried by
 * the connection's event loop ({@link LoopCarrier}); {@link BlockingScheduler#VIRTUAL}: a virtual thread per
 * connection on the JDK's scheduler; {@link BlockingScheduler#POOL}: at most {@code blockingThreads} daemon threads,
 * further connections waiting in a queue (with one warning, the first time, that the pool is full).
 *
 * <p>{@code AUTO} takes {@code EVENT_LOOP} only from Java 24 on: before that, a virtual thread blocked in or on a
 * {@code synchronized} block or in {@code Object.wait} pins its carrier (JEP 491 lifted that in 24), and a pinned
 * thread carried by an event loop stops the loop — and with it every other connection of the loop, and any Netty
 * future the handler waits for, which that loop would complete. An explicit {@code EVENT_LOOP} is honoured on 21-23.
 */
public final class BlockingExecutor implements Executor {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(BlockingExecutor.class);
    /** The first Java whose virtual threads do not pin on {@code synchronized} (JEP 491). */
    static final int NO_PINNING_ON_MONITORS = 24;

    private final BlockingScheduler scheduler;
    /** VIRTUAL: the default scheduler's threads; else null. */
    private final ThreadFactory virtual;
    /** POOL: the pool; else null. */
    private final ThreadPoolExecutor pool;
    /** POOL: handlers started and not yet returned, to see when the pool is full. */
    private final AtomicInteger running;
    private final AtomicBoolean warnedFull;
    /**
     * The connections whose handler has not returned, by event loop: when a loop terminates, those still open are
     * ended here (see {@link #endOrphans}).
     */
    private final Map<EventLoop, Set<NettyStreamConnection>> handling = new ConcurrentHashMap<>();

    private BlockingExecutor(BlockingScheduler scheduler, String name, int threads) {
        this.scheduler = scheduler;
        this.virtual = scheduler == BlockingScheduler.VIRTUAL ? VirtualThreads.factory() : null;
        if (scheduler == BlockingScheduler.POOL) {
            AtomicLong count = new AtomicLong();
            pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    task -> {
                        Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
                        thread.setDaemon(true);
                        return thread;
                    });
            pool.allowCoreThreadTimeOut(true);
            running = new AtomicInteger();
            warnedFull = new AtomicBoolean();
        } else {
            pool = null;
            running = null;
            warnedFull = null;
        }
    }

    /** True when blocking handlers can run on virtual threads (Java 21+). */
    public static boolean virtualThreads() {
        return VirtualThreads.factory() != null;
    }

    /**
     * The scheduler {@code asked} resolves to in this JVM ({@code AUTO}: see the class comment).
     *
     * @throws IllegalStateException when {@code asked} is not available here; the message says what is missing (for
     *                               {@code EVENT_LOOP}, the JVM flag to add)
     */
    public static BlockingScheduler resolve(BlockingScheduler asked) {
        String eventLoopMissing = VirtualThreads.customSchedulerUnavailable();
        switch (asked) {
            case EVENT_LOOP:
                if (eventLoopMissing != null) {
                    throw new IllegalStateException("BlockingScheduler.EVENT_LOOP is not available: "
                            + eventLoopMissing);
                }
                return asked;
            case VIRTUAL:
                if (!virtualThreads()) {
                    throw new IllegalStateException("BlockingScheduler.VIRTUAL is not available: it needs Java 21 or "
                            + "later with virtual threads (this is Java " + VirtualThreads.JAVA + ")");
                }
                return asked;
            case POOL:
                return asked;
            default:
                if (eventLoopMissing == null && VirtualThreads.JAVA >= NO_PINNING_ON_MONITORS) {
                    return BlockingScheduler.EVENT_LOOP;
                }
                return virtualThreads() ? BlockingScheduler.VIRTUAL : BlockingScheduler.POOL;
        }
    }

    /**
     * A new executor for one server's handlers; call {@link #shutdown} when the server is done with it.
     *
     * @throws IllegalStateException when the options ask for a scheduler that is not available here
     */
    public static BlockingExecutor create(String name, ServerOptions options) {
        return new BlockingExecutor(resolve(options.blockingScheduler()), name, options.blockingThreads());
    }

    /** The scheduler this executor runs handlers on (never {@code AUTO}). */
    public BlockingScheduler scheduler() {
        return scheduler;
    }

    /** Logs, once the server has started, which scheduler it runs its handlers on; returns {@code started}. */
    public CompletableFuture<StreamServer> announce(CompletableFuture<StreamServer> started, ServerOptions options) {
        started.thenAccept(server -> LOG.info("{}: blocking handlers run on {}{}", server, describe(),
                options.blockingScheduler() == BlockingScheduler.AUTO ? " (AUTO on Java " + VirtualThreads.JAVA + ")"
                        : ""));
        return started;
    }

    private String describe() {
        switch (scheduler) {
            case EVENT_LOOP:
                return "EVENT_LOOP (a virtual thread per connection, carried by the connection's event loop)";
            case VIRTUAL:
                return "VIRTUAL (a virtual thread per connection, on the JDK's scheduler)";
            default:
                return "POOL (at most " + pool.getMaximumPoolSize() + " platform threads: each connection holds one "
                        + "until its handler returns)";
        }
    }

    /** Runs {@code handler}, the whole life of {@code connection}, on a thread of this executor. */
    public void start(NettyStreamConnection connection, Runnable handler) {
        Set<NettyStreamConnection> onItsLoop = handling.computeIfAbsent(connection.writer().channel().eventLoop(),
                this::watch);
        onItsLoop.add(connection);
        Runnable tracked = () -> {
            try {
                handler.run();
            } finally {
                onItsLoop.remove(connection);
            }
        };
        try {
            switch (scheduler) {
                case EVENT_LOOP:
                    LoopCarrier.newThread(connection, tracked).start();
                    break;
                case VIRTUAL:
                    virtual.newThread(tracked).start();
                    break;
                default:
                    startInPool(connection, tracked);
            }
        } catch (RuntimeException notStarted) {
            onItsLoop.remove(connection);
            throw notStarted;
        }
    }

    /** The set of {@code loop}'s connections, which {@link #endOrphans} ends when the loop terminates. */
    private Set<NettyStreamConnection> watch(EventLoop loop) {
        Set<NettyStreamConnection> connections = ConcurrentHashMap.newKeySet();
        loop.terminationFuture().addListener(terminated -> endOrphans(connections));
        return connections;
    }

    /**
     * The event loop of {@code connections} has terminated (its group was shut down) while their handlers still ran.
     * Netty closes a dead loop's channels without always telling their pipelines (the inactive event is a task the
     * loop no longer runs), so a handler parked in a read would wait for ever: each connection that has not ended is
     * ended here — its reads fail, its writer and drainers fail — and the handler, resumed, returns. Runs on Netty's
     * global executor, once nothing runs on the loop any more.
     */
    private static void endOrphans(Set<NettyStreamConnection> connections) {
        for (NettyStreamConnection connection : connections) {
            if (!connection.writer().waitClosed().isDone()) {
                ClosedChannelException gone = new ClosedChannelException();
                connection.reader().setException(gone); // first: the parked handler resumes even if the rest fails
                try {
                    connection.writer().connectionLost(gone);
                } catch (RuntimeException channelGone) {
                    LOG.debug("{}: ending the writer after its event loop terminated", connection, channelGone);
                }
            }
        }
    }

    private void startInPool(NettyStreamConnection connection, Runnable handler) {
        int threads = pool.getMaximumPoolSize();
        if (running.incrementAndGet() > threads && !warnedFull.get() && warnedFull.compareAndSet(false, true)) {
            LOG.warn("{}: all {} blocking threads are taken, so this connection waits, unanswered, until a handler "
                    + "returns (each connection holds a thread while it is open, idle or not). Raise "
                    + "ServerOptions.blockingThreads, end idle connections with an idle timeout, or run on Java 21+ "
                    + "(virtual threads). Said once per server.", connection, threads);
        }
        try {
            pool.execute(() -> {
                try {
                    handler.run();
                } finally {
                    running.decrementAndGet();
                }
            });
        } catch (RuntimeException rejected) {
            running.decrementAndGet();
            throw rejected;
        }
    }

    /** Runs {@code task} on a thread of this executor, as a handler without a connection. */
    @Override
    public void execute(Runnable task) {
        if (pool != null) {
            pool.execute(task);
        } else {
            (virtual != null ? virtual : VirtualThreads.factory()).newThread(task).start();
        }
    }

    /** Lets a pool's idle threads end once its tasks are done; nothing to do for virtual threads. */
    public static void shutdown(Executor executor) {
        if (executor instanceof BlockingExecutor && ((BlockingExecutor) executor).pool != null) {
            ((BlockingExecutor) executor).pool.shutdown();
        } else if (executor instanceof ExecutorService) {
            ((ExecutorService) executor).shutdown();
        }
    }
}
