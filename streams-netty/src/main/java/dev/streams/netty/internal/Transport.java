package dev.streams.netty.internal;

import dev.streams.netty.TransportType;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The transports a stream can run on, and the shared default event loop group of each.
 *
 * <p>{@link TransportType#AUTO} is chosen once: native epoll when {@link Epoll#isAvailable()}, else NIO; the system
 * property {@code dev.streams.transport=nio} forces NIO. On Linux, falling back to NIO is logged once at INFO with the
 * reason (most often: the native jar for this architecture is not on the class or module path). A user's group decides
 * its own transport. io_uring classes are an optional dependency, so they are only touched (through suppliers) when
 * io_uring is asked for.
 */
public enum Transport {
    EPOLL(() -> EpollIoHandler.class, EpollIoHandler::newFactory, () -> EpollSocketChannel.class,
            () -> EpollServerSocketChannel.class, () -> EpollDomainSocketChannel.class,
            () -> EpollServerDomainSocketChannel.class),
    IO_URING(IoUring::handlerType, IoUring::newFactory, IoUring::socketChannel, IoUring::serverChannel, null, null),
    NIO(() -> NioIoHandler.class, NioIoHandler::newFactory, () -> NioSocketChannel.class,
            () -> NioServerSocketChannel.class, () -> NioDomainSocketChannel.class,
            () -> NioServerDomainSocketChannel.class);

    private static final Map<Transport, EventLoopGroup> DEFAULT_GROUPS = new EnumMap<>(Transport.class);
    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(Transport.class);
    /** Whether AUTO's fallback to NIO on Linux was logged (once per JVM). */
    private static volatile boolean fallbackLogged;

    private final Supplier<Class<? extends IoHandler>> handlerType;
    private final Supplier<IoHandlerFactory> factory;
    private final Supplier<Class<? extends Channel>> socketChannel;
    private final Supplier<Class<? extends ServerChannel>> serverChannel;
    private final Supplier<Class<? extends Channel>> domainChannel;
    private final Supplier<Class<? extends ServerChannel>> serverDomainChannel;

    Transport(Supplier<Class<? extends IoHandler>> handlerType, Supplier<IoHandlerFactory> factory,
              Supplier<Class<? extends Channel>> socketChannel, Supplier<Class<? extends ServerChannel>> serverChannel,
              Supplier<Class<? extends Channel>> domainChannel,
              Supplier<Class<? extends ServerChannel>> serverDomainChannel) {
        this.handlerType = handlerType;
        this.factory = factory;
        this.socketChannel = socketChannel;
        this.serverChannel = serverChannel;
        this.domainChannel = domainChannel;
        this.serverDomainChannel = serverDomainChannel;
    }

    public Class<? extends Channel> socketChannel() {
        return socketChannel.get();
    }

    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel.get();
    }

    /** The Unix domain socket channel class; {@code IllegalArgumentException} where there is none (io_uring). */
    public Class<? extends Channel> domainChannel() {
        return checkDomain(domainChannel).get();
    }

    /** The Unix domain server channel class; {@code IllegalArgumentException} where there is none (io_uring). */
    public Class<? extends ServerChannel> serverDomainChannel() {
        return checkDomain(serverDomainChannel).get();
    }

    private <T> Supplier<T> checkDomain(Supplier<T> supplier) {
        if (supplier == null) {
            throw new IllegalArgumentException("Unix domain sockets are not supported on " + this);
        }
        return supplier;
    }

    /** The address to bind or connect a Unix socket at {@code path} on this transport. */
    public SocketAddress domainAddress(Path path) {
        return this == EPOLL ? new DomainSocketAddress(path.toString()) : UnixDomainSocketAddress.of(path);
    }

    /** The handler factory for a new group of this transport. */
    public IoHandlerFactory ioHandlerFactory() {
        return factory.get();
    }

    /** Whether this transport can run here. */
    public boolean isAvailable() {
        switch (this) {
            case EPOLL:
                return Epoll.isAvailable();
            case IO_URING:
                return IoUring.isAvailable();
            default:
                return true;
        }
    }

    private Throwable unavailabilityCause() {
        return this == EPOLL ? Epoll.unavailabilityCause() : IoUring.unavailabilityCause();
    }

    /** Epoll when it is available (and not turned off by {@code -Ddev.streams.transport=nio}), else NIO. */
    public static Transport preferred() {
        String asked = System.getProperty("dev.streams.transport", "auto").toLowerCase(Locale.ROOT);
        if (asked.equals("nio")) {
            return NIO;
        }
        if (Epoll.isAvailable()) {
            return EPOLL;
        }
        if (!fallbackLogged && PlatformDependent.normalizedOs().equals("linux")) {
            fallbackLogged = true; // a race may log twice; no harm
            Throwable cause = Epoll.unavailabilityCause();
            LOG.info("native epoll is not available, using NIO: {} (netty-transport-native-epoll with classifier"
                    + " linux-{} must be on the class or module path)", cause, PlatformDependent.normalizedArch());
        }
        return NIO;
    }

    /**
     * The transport asked for.
     *
     * @throws IllegalStateException when it is not available here, with the reason
     */
    public static Transport of(TransportType type) {
        Transport transport;
        switch (type) {
            case AUTO:
                return preferred();
            case EPOLL:
                transport = EPOLL;
                break;
            case IO_URING:
                transport = IO_URING;
                break;
            default:
                return NIO;
        }
        if (!transport.isAvailable()) {
            throw new IllegalStateException(transport + " transport is not available here",
                    transport.unavailabilityCause());
        }
        return transport;
    }

    /**
     * The transport of {@code group}.
     *
     * @throws IllegalArgumentException when the group runs neither epoll, io_uring nor NIO
     */
    public static Transport of(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup) {
            IoEventLoopGroup io = (IoEventLoopGroup) group;
            for (Transport transport : values()) {
                if ((transport != IO_URING || IoUring.classesPresent()) && io.isIoType(transport.handlerType.get())) {
                    return transport;
                }
            }
        }
        throw new IllegalArgumentException("unsupported event loop group (use epoll, io_uring or NIO): " + group);
    }

    /** {@code group}, or the shared default group of {@code type} (created on first use) when it is null. */
    public static EventLoopGroup groupOrDefault(EventLoopGroup group, TransportType type) {
        if (group != null) {
            return group;
        }
        Transport transport = of(type);
        synchronized (DEFAULT_GROUPS) {
            EventLoopGroup existing = DEFAULT_GROUPS.get(transport);
            if (existing == null || existing.isShuttingDown()) {
                LogPreload.preload(); // before any of our event loops can meet a shortage of descriptors
                existing = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory(
                        "streams-" + transport.name().toLowerCase(Locale.ROOT), true), transport.ioHandlerFactory());
                DEFAULT_GROUPS.put(transport, existing);
            }
            return existing;
        }
    }

    /** Shuts the default groups down (no grace period); the next use creates new ones. */
    public static CompletableFuture<Void> shutdownDefaultGroups() {
        EventLoopGroup[] groups;
        synchronized (DEFAULT_GROUPS) {
            groups = DEFAULT_GROUPS.values().toArray(new EventLoopGroup[0]);
            DEFAULT_GROUPS.clear();
        }
        CompletableFuture<?>[] done = new CompletableFuture<?>[groups.length];
        for (int i = 0; i < groups.length; i++) {
            CompletableFuture<Void> one = new CompletableFuture<>();
            groups[i].shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(f -> {
                if (f.isSuccess()) {
                    one.complete(null);
                } else {
                    one.completeExceptionally(f.cause());
                }
            });
            done[i] = one;
        }
        return CompletableFuture.allOf(done);
    }

    /** The io_uring classes, touched only when io_uring is asked for (they are an optional dependency). */
    private static final class IoUring {
        private static final boolean CLASSES = classesPresent0();

        static boolean classesPresent() {
            return CLASSES;
        }

        private static boolean classesPresent0() {
            try {
                Class.forName("io.netty.channel.uring.IoUring", false, Transport.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }

        static boolean isAvailable() {
            return CLASSES && io.netty.channel.uring.IoUring.isAvailable();
        }

        static Throwable unavailabilityCause() {
            return CLASSES ? io.netty.channel.uring.IoUring.unavailabilityCause()
                    : new ClassNotFoundException("netty-transport-classes-io_uring is not on the class path");
        }

        static Class<? extends IoHandler> handlerType() {
            return io.netty.channel.uring.IoUringIoHandler.class;
        }

        static IoHandlerFactory newFactory() {
            return io.netty.channel.uring.IoUringIoHandler.newFactory();
        }

        static Class<? extends Channel> socketChannel() {
            return io.netty.channel.uring.IoUringSocketChannel.class;
        }

        static Class<? extends ServerChannel> serverChannel() {
            return io.netty.channel.uring.IoUringServerSocketChannel.class;
        }
    }
}
