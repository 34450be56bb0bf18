package dev.streams.netty.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.base64.Base64;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * In-process proxies for tests, on Netty's codecs: a SOCKS5 server (netty-codec-socks' server decoders and encoder,
 * with optional username/password authentication) and an HTTP {@code CONNECT} server (netty-codec-http's
 * {@code HttpServerCodec}, with optional Basic authentication). Each relays bytes both ways once the tunnel is up,
 * records what it was asked for (the SOCKS5 address type and address, or the {@code CONNECT} target), and resolves
 * names through {@code names} first (so that a test can use a name that only the proxy knows), else as given.
 * Runs on a NIO group of its own; {@link #close()} stops it.
 *
 * <p>Buffer ownership: what one side reads is written to the other, which owns (and releases) it from then on; a
 * message read while no tunnel is up is released here.
 */
public final class TestProxy implements AutoCloseable {

    /** The protocols. */
    public enum Kind { SOCKS5, HTTP }

    private final EventLoopGroup group;
    /** Every channel of the proxy: closed by {@link #close()} (a group's shutdown does not close them). */
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel server;
    private final String username;
    private final String password;
    private final Map<String, String> names;
    /** What the proxy was asked for, in order: {@code "DOMAIN example.test:7"}, {@code "CONNECT host:port"}. */
    public final List<String> requests = new CopyOnWriteArrayList<>();
    /** Whether the client offered or sent credentials, one entry per connection that did. */
    public final List<String> credentials = new CopyOnWriteArrayList<>();

    private TestProxy(Kind kind, String username, String password, Map<String, String> names) {
        this.username = username;
        this.password = password;
        this.names = names;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-proxy", true),
                NioIoHandler.newFactory());
        this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channels.add(channel);
                        if (kind == Kind.SOCKS5) {
                            channel.pipeline().addLast(Socks5ServerEncoder.DEFAULT, new Socks5InitialRequestDecoder(),
                                    new Socks5Handler());
                        } else {
                            channel.pipeline().addLast(new HttpServerCodec(), new HttpConnectHandler());
                        }
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    /**
     * Starts a proxy on {@code 127.0.0.1:0}.
     *
     * @param username the user name it demands, or null for none
     * @param names    names it resolves itself (name to IP address)
     */
    public static TestProxy start(Kind kind, String username, String password, Map<String, String> names) {
        return new TestProxy(kind, username, password, names);
    }

    /** The port it listens on. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        channels.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Connects to {@code host:port} for {@code client}; {@code done} gets the target channel, or null on failure. */
    private void connectTarget(Channel client, String host, int port, Consumer<Channel> done) {
        String address = names.getOrDefault(host, host);
        Bootstrap bootstrap = new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false) // until the client has its answer
                .handler(new Relay(client));
        ChannelFuture connect = bootstrap.connect(address, port);
        channels.add(connect.channel());
        connect.addListener((ChannelFutureListener) f -> {
            done.accept(f.isSuccess() ? f.channel() : null);
        });
    }

    /** Joins {@code client} (whose pipeline is cleared of the proxy's codecs) to {@code target}. */
    private static void relay(Channel client, Channel target) {
        ChannelPipeline pipeline = client.pipeline();
        pipeline.addLast(new Relay(target));
        target.config().setAutoRead(true);
    }

    private boolean authorized(String user, String pass) {
        return username == null || (username.equals(user) && password.equals(pass));
    }

    /** SOCKS5: method selection, authentication, CONNECT. */
    private final class Socks5Handler extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            ChannelPipeline pipeline = ctx.pipeline();
            if (msg instanceof Socks5InitialRequest) {
                List<Socks5AuthMethod> offered = ((Socks5InitialRequest) msg).authMethods();
                if (offered.contains(Socks5AuthMethod.PASSWORD)) {
                    credentials.add("offered");
                }
                if (username == null) {
                    pipeline.replace(Socks5InitialRequestDecoder.class, null, new Socks5CommandRequestDecoder());
                    ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.NO_AUTH));
                } else if (offered.contains(Socks5AuthMethod.PASSWORD)) {
                    pipeline.replace(Socks5InitialRequestDecoder.class, null, new Socks5PasswordAuthRequestDecoder());
                    ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.PASSWORD));
                } else {
                    ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            } else if (msg instanceof Socks5PasswordAuthRequest) {
                Socks5PasswordAuthRequest auth = (Socks5PasswordAuthRequest) msg;
                if (authorized(auth.username(), auth.password())) {
                    pipeline.replace(Socks5PasswordAuthRequestDecoder.class, null, new Socks5CommandRequestDecoder());
                    ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS));
                } else {
                    ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            } else if (msg instanceof Socks5CommandRequest) {
                Socks5CommandRequest request = (Socks5CommandRequest) msg;
                String type = request.dstAddrType().toString().replaceAll("\\(\\d+\\)", ""); // DOMAIN(3)
                requests.add(type + " " + request.dstAddr() + ":" + request.dstPort());
                if (request.type() != Socks5CommandType.CONNECT) {
                    ctx.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.COMMAND_UNSUPPORTED,
                            Socks5AddressType.IPv4)).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                ctx.channel().config().setAutoRead(false);
                connectTarget(ctx.channel(), request.dstAddr(), request.dstPort(), target -> {
                    if (target == null) {
                        ctx.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.CONNECTION_REFUSED,
                                Socks5AddressType.IPv4)).addListener(ChannelFutureListener.CLOSE);
                        return;
                    }
                    ctx.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS,
                            Socks5AddressType.IPv4, "127.0.0.1", 0));
                    pipeline.remove(Socks5CommandRequestDecoder.class);
                    pipeline.remove(Socks5ServerEncoder.class);
                    pipeline.remove(this);
                    relay(ctx.channel(), target);
                    ctx.channel().config().setAutoRead(true);
                });
            }
        }
    }

    /** HTTP CONNECT: one request, then the tunnel. */
    private final class HttpConnectHandler extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HttpRequest)) {
                return; // the request's (empty) content
            }
            HttpRequest request = (HttpRequest) msg;
            requests.add(request.method() + " " + request.uri());
            String authorization = request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION);
            if (authorization != null) {
                credentials.add(authorization);
            }
            if (!request.method().equals(HttpMethod.CONNECT)) {
                answer(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, true);
                return;
            }
            if (username != null && !basic(authorization)) {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED);
                response.headers().set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic realm=\"test\"")
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            String uri = request.uri();
            int colon = uri.lastIndexOf(':');
            String host = uri.substring(0, colon);
            if (host.startsWith("[")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = Integer.parseInt(uri.substring(colon + 1));
            ctx.channel().config().setAutoRead(false);
            connectTarget(ctx.channel(), host, port, target -> {
                if (target == null) {
                    answer(ctx, HttpResponseStatus.BAD_GATEWAY, true);
                    return;
                }
                answer(ctx, HttpResponseStatus.OK, false);
                ctx.pipeline().remove(HttpServerCodec.class);
                ctx.pipeline().remove(this);
                relay(ctx.channel(), target);
                ctx.channel().config().setAutoRead(true);
            });
        }

        private boolean basic(String authorization) {
            if (authorization == null || !authorization.startsWith("Basic ")) {
                return false;
            }
            ByteBuf encoded = Unpooled.copiedBuffer(authorization.substring(6),
                    StandardCharsets.US_ASCII);
            ByteBuf decoded = Base64.decode(encoded);
            try {
                String pair = decoded.toString(StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                return colon >= 0 && authorized(pair.substring(0, colon), pair.substring(colon + 1));
            } finally {
                encoded.release();
                decoded.release();
            }
        }

        private void answer(ChannelHandlerContext ctx, HttpResponseStatus status, boolean close) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
            if (status.code() != 200) {
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            }
            if (close) {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response);
            }
        }
    }

    /** Writes what it reads to {@code peer} (which owns it then), and closes {@code peer} when its side closes. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (peer.isActive()) {
                peer.writeAndFlush(msg); // peer's pipeline owns msg from here on
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
