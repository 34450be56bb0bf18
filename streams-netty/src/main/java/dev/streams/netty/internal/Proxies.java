package dev.streams.netty.internal;

import dev.streams.netty.ProxyOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Client connections through a proxy, on Netty's {@code netty-handler-proxy}: the {@link ProxyHandler} is the first
 * handler of the pipeline (the TLS handler, when there is one, comes after it and so talks to the target through the
 * tunnel). The channel connects to the proxy's address; the handler sends the target's address (a name unresolved) in
 * its request, holds back what is written until the tunnel is up, then steps aside.
 */
final class Proxies {

    /** The channel's proxy handler, kept on the channel: it leaves the pipeline when the channel closes. */
    private static final AttributeKey<ProxyHandler> HANDLER = AttributeKey.valueOf("dev.streams.proxy");

    private Proxies() {
    }

    /**
     * The address the channel is asked to connect to: the target, a name left unresolved for the proxy to resolve,
     * an IP literal as an address.
     */
    static InetSocketAddress target(String host, int port) {
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            return new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), port);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /**
     * Puts the proxy handler for {@code proxy}, reached at {@code proxyAddress}, first in {@code channel}'s pipeline.
     * Its handshake may take what is left of {@code connectTimeoutMillis} once the TCP connection is up, counted from
     * now (the channel is being set up just before it connects).
     */
    static void addHandler(Channel channel, ProxyOptions proxy, SocketAddress proxyAddress, long connectTimeoutMillis) {
        ProxyHandler handler = proxy.type() == ProxyOptions.Type.SOCKS5
                ? (proxy.username() != null
                        ? new Socks5ProxyHandler(proxyAddress, proxy.username(), proxy.password())
                        : new Socks5ProxyHandler(proxyAddress))
                : (proxy.username() != null
                        ? new HttpProxyHandler(proxyAddress, proxy.username(), proxy.password())
                        : new HttpProxyHandler(proxyAddress));
        channel.attr(HANDLER).set(handler);
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addFirst(handler);
        pipeline.addFirst(new Guard(handler, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectTimeoutMillis)));
    }

    /**
     * In front of the proxy handler until the tunnel is up: gives the handler's timer what is left of the connect
     * timeout (it starts it when the channel becomes active), and closes the channel when the proxy sends EOF before
     * answering (half-closure is allowed, and the proxy handler only fails on a closed channel; it then fails with
     * "disconnected" rather than at its timeout).
     */
    private static final class Guard extends ChannelInboundHandlerAdapter {
        private final ProxyHandler handler;
        private final long deadlineNanos;

        Guard(ProxyHandler handler, long deadlineNanos) {
            this.handler = handler;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            handler.connectFuture().addListener(f -> {
                if (ctx.pipeline().context(this) != null) {
                    ctx.pipeline().remove(this); // the tunnel is up (or failed): nothing more to guard
                }
            });
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            handler.setConnectTimeoutMillis(Math.max(1, left));
            ctx.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            ctx.fireUserEventTriggered(evt);
            if (evt instanceof ChannelInputShutdownEvent && !handler.connectFuture().isDone()) {
                ctx.close();
            }
        }
    }

    /**
     * Completes once {@code channel}'s proxy tunnel is up; fails with the proxy's error. Completes at once for a
     * channel without a proxy handler.
     */
    static CompletableFuture<Void> tunnel(Channel channel) {
        ProxyHandler handler = channel.attr(HANDLER).get();
        if (handler == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> up = new CompletableFuture<>();
        handler.connectFuture().addListener(f -> {
            if (f.isSuccess()) {
                up.complete(null);
            } else {
                up.completeExceptionally(f.cause());
            }
        });
        return up;
    }
}
