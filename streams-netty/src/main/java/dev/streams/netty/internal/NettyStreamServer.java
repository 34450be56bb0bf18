package dev.streams.netty.internal;

import dev.streams.ServerMetrics;
import dev.streams.StreamServer;
import dev.streams.netty.ServerOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listening server: its server channels (one per bound address) and the connections they accepted.
 *
 * <p>{@link #close()} closes the server channels only. {@link #waitClosed()} completes once they are closed and the
 * last tracked connection has ended.
 */
public final class NettyStreamServer implements StreamServer {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(NettyStreamServer.class);

    /** The open client connections by channel. */
    private final Map<Channel, NettyStreamConnection> clients = new ConcurrentHashMap<>();
    /** Each client channel's close listener: stops tracking it. */
    private final ChannelFutureListener untrack = closed -> {
        clients.remove(closed.channel());
        checkAllClosed();
    };
    /** What the server counts: its metrics (see {@link ServerCounters}). */
    private final ServerCounters counters = new ServerCounters(clients::size);
    private final List<Channel> serverChannels = new ArrayList<>();
    private final CompletableFuture<Void> serverClosed = new CompletableFuture<>();
    private final CompletableFuture<Void> allClosed = new CompletableFuture<>();
    private final Executor blockingExecutor;
    private final Path socketFile;
    private volatile boolean serving;
    private volatile boolean closing;
    /** Set once, before the server channels are bound; null for no limit. */
    private volatile ConnectionLimiter limiter;

    /**
     * @param blockingExecutor where blocking handlers run (shut down once the server is done); null for none
     * @param socketFile       a Unix server's socket file, removed when the server closes; null for TCP
     */
    public NettyStreamServer(Executor blockingExecutor, boolean serving, Path socketFile) {
        this.blockingExecutor = blockingExecutor;
        this.serving = serving;
        this.socketFile = socketFile;
    }

    /** Adds a bound server channel; called before the server is handed to the user. */
    public void addServerChannel(Channel channel) {
        serverChannels.add(channel);
    }

    /**
     * Starts serving a connection accepted by one of the server channels: tracks it until it closes, and counts it
     * and its bytes in this server's metrics. Called on the connection's event loop, when its pipeline is set up:
     * before it reads or writes a byte and before its handler runs.
     *
     * @param handler the connection's stream handler
     * @return false when the server was closed, and had no client left, before this connection was set up: it is
     *         closed, not counted and not served (its handler must not run: a blocking server's pool is shut down)
     */
    public boolean track(StreamsChannelHandler handler) {
        NettyStreamConnection connection = handler.connection();
        Channel channel = connection.writer().channel();
        clients.put(channel, connection); // before the check: checkAllClosed either sees it or is done before it
        channel.closeFuture().addListener(untrack);
        if (allClosed.isDone()) { // accepted before close(), set up after waitClosed() said every client was gone
            channel.close();
            return false;
        }
        handler.countInto(counters.loop(channel.eventLoop()));
        counters.accepted();
        return true;
    }

    /**
     * The handler for each of this server's channels (see {@link AcceptGuard}): accept errors are survived, and
     * {@code maxConnections} is kept when it is not {@link ServerOptions#UNLIMITED_CONNECTIONS}.
     * Call once, before binding.
     *
     * @param maxConnections the server's {@code maxConnections}
     * @return the handler for {@code ServerBootstrap.handler}
     */
    public ChannelHandler serverChannelHandler(int maxConnections) {
        if (maxConnections != ServerOptions.UNLIMITED_CONNECTIONS) {
            limiter = new ConnectionLimiter(this, maxConnections, counters);
        }
        return AcceptGuard.forServer(this, limiter);
    }

    public Executor blockingExecutor() {
        return blockingExecutor;
    }

    @Override
    public List<SocketAddress> localAddresses() {
        List<SocketAddress> addresses = new ArrayList<>(serverChannels.size());
        for (Channel channel : serverChannels) {
            addresses.add(ConnectionNames.typed(channel.localAddress()));
        }
        return List.copyOf(addresses);
    }

    @Override
    public boolean isServing() {
        return serving && !closing;
    }

    @Override
    public void startServing() {
        if (closing) {
            throw new IllegalStateException("server is closed: " + this);
        }
        if (!serving) {
            serving = true;
            for (Channel channel : serverChannels) {
                channel.config().setAutoRead(true);
            }
        }
    }

    @Override
    public CompletableFuture<Void> serveForever() {
        startServing();
        CompletableFuture<Void> forever = serverClosed.copy();
        forever.whenComplete((v, t) -> {
            if (forever.isCancelled()) {
                close();
            }
        });
        return forever;
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        AtomicInteger open = new AtomicInteger(serverChannels.size());
        boolean mayWait = !new NettyBlockingGuard().mustNotBlock();
        for (Channel channel : serverChannels) {
            ChannelFuture closed = channel.close().addListener(f -> {
                if (open.decrementAndGet() == 0) {
                    removeSocketFile();
                    serverClosed.complete(null);
                    checkAllClosed();
                }
            });
            if (mayWait) {
                closed.awaitUninterruptibly(); // like asyncio: the sockets are closed when close() returns
            }
        }
        if (serverChannels.isEmpty()) {
            removeSocketFile();
            serverClosed.complete(null);
            checkAllClosed();
        }
    }

    private void removeSocketFile() {
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                LOG.warn("{}: cannot remove the socket file {}", this, socketFile, e);
            }
        }
    }

    private void checkAllClosed() {
        if (serverClosed.isDone() && clients.isEmpty() && !allClosed.isDone()) {
            if (blockingExecutor != null) {
                BlockingExecutor.shutdown(blockingExecutor);
            }
            allClosed.complete(null);
        }
    }

    @Override
    public void closeClients() {
        for (NettyStreamConnection client : clients.values()) {
            client.writer().close();
        }
    }

    @Override
    public void abortClients() {
        for (NettyStreamConnection client : clients.values()) {
            client.writer().abort();
        }
    }

    @Override
    public CompletableFuture<Void> waitClosed() {
        return allClosed.copy();
    }

    @Override
    public ServerMetrics metrics() {
        return counters;
    }

    /** The number of client connections still open. */
    public int clientCount() {
        return clients.size();
    }

    @Override
    public String toString() {
        return "StreamServer" + localAddresses() + (closing ? "[closed]" : "");
    }
}
