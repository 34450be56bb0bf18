/** The Netty 4.2 implementation of the streams API. */
module dev.streams.netty {
    requires transitive dev.streams;
    requires transitive io.netty.buffer;
    requires transitive io.netty.common;
    requires transitive io.netty.transport;
    requires io.netty.codec;
    requires transitive io.netty.handler;
    requires static io.netty.transport.classes.io_uring;
    requires io.netty.transport.classes.epoll;
    // The native epoll libraries (jars with no classes, dependencies of this module for both architectures). On the
    // module path nothing else would resolve them, and epoll would silently fall back to NIO.
    requires io.netty.transport.epoll.linux.x86_64;
    requires io.netty.transport.epoll.linux.aarch_64;
    requires io.netty.transport.unix.common;
    // Proxies (SOCKS5, HTTP CONNECT) and the no-op resolver that leaves a target's name to the proxy.
    requires io.netty.handler.proxy;
    requires io.netty.resolver;

    exports dev.streams.netty;

    provides dev.streams.Await.BlockingGuard with dev.streams.netty.internal.NettyBlockingGuard;
}
