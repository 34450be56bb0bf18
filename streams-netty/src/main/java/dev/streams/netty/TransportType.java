package dev.streams.netty;

/**
 * Which Netty transport connections and servers run on, when they use the shared default groups
 * ({@link StreamOptions#transport()}). A user's own event loop group always decides its own transport.
 */
public enum TransportType {
    /** Native epoll when it loads here, else NIO (the default). */
    AUTO,
    /** Native epoll (Linux); fails when it does not load. */
    EPOLL,
    /** Native io_uring (Linux x86_64, optional dependency); fails when it does not load. No Unix sockets. */
    IO_URING,
    /** The JDK's NIO: any OS. */
    NIO
}
