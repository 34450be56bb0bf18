package dev.streams.netty.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The transports a stream can run on, and the shared default event loop group.
 *
 * <p>The default transport is chosen once: native epoll when {@link Epoll#isAvailable()}, else NIO; the system
 * property {@code dev.streams.transport=nio} forces NIO. A user's group decides its own transport.
 */
public enum Transport {
    EPOLL(EpollSocketChannel.class, EpollServerSocketChannel.class),
    NIO(NioSocketChannel.class, NioServerSocketChannel.class);

    private static final Object LOCK = new Object();
    private static EventLoopGroup defaultGroup; // guarded by LOCK

    private final Class<? extends SocketChannel> socketChannel;
    private final Class<? extends ServerSocketChannel> serverChannel;

    Transport(Class<? extends SocketChannel> socketChannel, Class<? extends ServerSocketChannel> serverChannel) {
        this.socketChannel = socketChannel;
        this.serverChannel = serverChannel;
    }

    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }

    public Class<? extends ServerSocketChannel> serverChannel() {
        return serverChannel;
    }

    /** The handler factory for a new group of this transport. */
    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** Epoll when it is available (and not turned off by {@code -Ddev.streams.transport=nio}), else NIO. */
    public static Transport preferred() {
        String asked = System.getProperty("dev.streams.transport", "auto").toLowerCase(Locale.ROOT);
        return !asked.equals("nio") && Epoll.isAvailable() ? EPOLL : NIO;
    }

    /**
     * The transport of {@code group}.
     *
     * @throws IllegalArgumentException when the group runs neither epoll nor NIO
     */
    public static Transport of(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup) {
            IoEventLoopGroup io = (IoEventLoopGroup) group;
            if (io.isIoType(EpollIoHandler.class)) {
                return EPOLL;
            }
            if (io.isIoType(NioIoHandler.class)) {
                return NIO;
            }
        }
        throw new IllegalArgumentException("unsupported event loop group (use epoll or NIO): " + group);
    }

    /** {@code group}, or the shared default group (created on first use) when it is null. */
    public static EventLoopGroup groupOrDefault(EventLoopGroup group) {
        if (group != null) {
            return group;
        }
        synchronized (LOCK) {
            if (defaultGroup == null || defaultGroup.isShuttingDown()) {
                defaultGroup = new MultiThreadIoEventLoopGroup(0,
                        new DefaultThreadFactory("streams-loop", true), preferred().ioHandlerFactory());
            }
            return defaultGroup;
        }
    }

    /** Shuts the default group down (quietly: no grace period); the next use creates a new one. */
    public static CompletableFuture<Void> shutdownDefaultGroup() {
        EventLoopGroup group;
        synchronized (LOCK) {
            group = defaultGroup;
            defaultGroup = null;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (group == null) {
            done.complete(null);
        } else {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).addListener(f -> {
                if (f.isSuccess()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(f.cause());
                }
            });
        }
        return done;
    }
}
