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
    requires io.netty.transport.unix.common;
    // Proxies (SOCKS5, HTTP CONNECT) and the no-op resolver that leaves a target's name to the proxy.
    requires io.netty.handler.proxy;
    requires io.netty.resolver;

    exports dev.streams.netty;

    provides dev.streams.Await.BlockingGuard with dev.streams.netty.internal.NettyBlockingGuard;
}
