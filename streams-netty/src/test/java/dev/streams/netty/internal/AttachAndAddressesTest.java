package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.Endpoint;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.TransportGroups;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attaching to channels a Netty application owns (with a decoder in front, and switching protocols half-way), and the
 * address options: {@code localAddress} for clients, {@code reusePort} for several servers on one port.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AttachAndAddressesTest {

    private static final String HOST = "127.0.0.1";

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    /** A plain Netty server whose pipeline ends with {@code last}; returns its port. */
    private static Channel nettyServer(EventLoopGroup group, Transport transport,
                                       java.util.function.Consumer<Channel> init) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        init.accept(ch);
                    }
                }).bind(HOST, 0).sync().channel();
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void attachAfterADecoderReadsItsFrames(Transport transport) throws Exception {
        EventLoopGroup group = TransportGroups.group(transport);
        CompletableFuture<String> seen = new CompletableFuture<>();
        Channel server = nettyServer(group, transport, ch -> {
            // The application's decoder keeps its delimiters: each frame is one line the reader can readLine.
            ch.pipeline().addLast(new LineBasedFrameDecoder(1024, false, false));
            StreamConnection conn = NettyStreams.attach(ch);
            conn.reader().readLine().thenCompose(first -> conn.reader().readLine().thenApply(second ->
                    new String(first, UTF_8) + new String(second, UTF_8))).whenComplete((lines, error) -> {
                        if (error != null) {
                            seen.completeExceptionally(error);
                            return;
                        }
                        seen.complete(lines);
                        conn.writer().write(lines.toUpperCase(Locale.ROOT).getBytes(UTF_8));
                        conn.writer().close();
                    });
        });
        try (StreamConnection client = await(NettyStreams.openConnection(HOST,
                ((InetSocketAddress) server.localAddress()).getPort(),
                ConnectOptions.builder().eventLoopGroup(group).build()))) {
            client.writer().write("one\ntwo\n".getBytes(UTF_8));
            assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("one\ntwo\n");
            assertThat(new String(await(client.reader().read(-1)), UTF_8)).isEqualTo("ONE\nTWO\n");
        } finally {
            server.close().sync();
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aPipelineCanSwitchToStreamsHalfWay(Transport transport) throws Exception {
        EventLoopGroup group = TransportGroups.group(transport);
        byte[] greeting = "HELLO\n".getBytes(UTF_8);
        Channel server = nettyServer(group, transport, ch -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                // Some protocol's greeting first; after it the connection speaks streams. The bytes after the
                // greeting in this buffer are passed on to the stream handler, which owns them from then on.
                io.netty.buffer.ByteBuf buf = (io.netty.buffer.ByteBuf) msg;
                buf.skipBytes(greeting.length);
                StreamConnection conn = NettyStreams.attach(ctx.channel());
                ctx.fireChannelRead(buf);
                ctx.pipeline().remove(this);
                EndToEndTest.echoAsync(conn.reader(), conn.writer())
                        .whenComplete((v, t) -> conn.writer().close());
            }
        }));
        try (StreamConnection client = await(NettyStreams.openConnection(HOST,
                ((InetSocketAddress) server.localAddress()).getPort(),
                ConnectOptions.builder().eventLoopGroup(group).build()))) {
            client.writer().write("HELLO\nsame packet\n".getBytes(UTF_8));
            assertThat(new String(await(client.reader().readLine()), UTF_8)).isEqualTo("same packet\n");
            client.writer().write("later\n".getBytes(UTF_8));
            assertThat(new String(await(client.reader().readLine()), UTF_8)).isEqualTo("later\n");
        } finally {
            server.close().sync();
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aClientBindsItsLocalAddress(Transport transport) throws Exception {
        EventLoopGroup group = TransportGroups.group(transport);
        StreamServer server = await(NettyStreams.startServer(EndToEndTest::echoAsync, HOST, 0,
                ServerOptions.builder().eventLoopGroup(group).build()));
        int localPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            localPort = probe.getLocalPort();
        }
        try (StreamConnection conn = await(NettyStreams.openConnection(HOST,
                ((InetSocketAddress) server.localAddresses().get(0)).getPort(), ConnectOptions.builder()
                        .eventLoopGroup(group).localAddress(new InetSocketAddress(HOST, localPort)).build()))) {
            assertThat(((InetSocketAddress) conn.writer().localAddress()).getPort()).isEqualTo(localPort);
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @Test
    void reusePortLetsSeveralServersShareAPort() throws Exception {
        Assumptions.assumeTrue(Transport.EPOLL.isAvailable(), "epoll not available");
        EventLoopGroup group = TransportGroups.group(Transport.EPOLL);
        ServerOptions options = ServerOptions.builder().eventLoopGroup(group).reusePort(true).build();
        Set<String> answeredBy = java.util.concurrent.ConcurrentHashMap.newKeySet();
        StreamServer first = await(NettyStreams.startServer((r, w) -> {
            answeredBy.add("first");
            return EndToEndTest.echoAsync(r, w);
        }, HOST, 0, options));
        int port = ((InetSocketAddress) first.localAddresses().get(0)).getPort();
        StreamServer second = await(NettyStreams.startServer((r, w) -> {
            answeredBy.add("second");
            return EndToEndTest.echoAsync(r, w);
        }, HOST, port, options));
        try {
            assertThat(second.localAddresses()).isEqualTo(first.localAddresses());
            Set<Integer> seen = new HashSet<>();
            // The kernel spreads connections over both sockets by a hash of the client's port: enough tries reach
            // both (bounded).
            for (int i = 0; i < 200 && answeredBy.size() < 2; i++) {
                try (StreamConnection conn = await(NettyStreams.openConnection(HOST, port,
                        ConnectOptions.builder().eventLoopGroup(group).build()))) {
                    conn.writer().write("x\n".getBytes(UTF_8));
                    assertThat(await(conn.reader().readLine())).isEqualTo("x\n".getBytes(UTF_8));
                    seen.add(((InetSocketAddress) conn.writer().localAddress()).getPort());
                }
            }
            assertThat(answeredBy).containsExactlyInAnyOrder("first", "second");
        } finally {
            first.close();
            second.close();
            await(first.waitClosed());
            await(second.waitClosed());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aNameIsResolvedAndItsAddressesRacedUntilOneConnects(Transport transport) throws Exception {
        EventLoopGroup group = TransportGroups.group(transport);
        StreamServer server = await(NettyStreams.startServer(EndToEndTest::echoAsync, HOST, 0,
                ServerOptions.builder().eventLoopGroup(group).build()));
        int port = ((InetSocketAddress) server.localAddresses().get(0)).getPort();
        try {
            // "localhost" may resolve to ::1 first, where nothing listens: that attempt fails and 127.0.0.1 wins.
            for (java.time.Duration delay : new java.time.Duration[] {null, java.time.Duration.ofMillis(50)}) {
                try (StreamConnection conn = await(NettyStreams.openConnection("localhost", port, ConnectOptions
                        .builder().eventLoopGroup(group).happyEyeballsDelay(delay).build()))) {
                    conn.writer().write("raced\n".getBytes(UTF_8));
                    assertThat(new String(await(conn.reader().readLine()), UTF_8)).isEqualTo("raced\n");
                }
            }
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> await(NettyStreams.openConnection(
                    "no-such-host.invalid", port, ConnectOptions.builder().eventLoopGroup(group).build()))))
                    .isInstanceOf(java.net.UnknownHostException.class);
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aServerListensOnSeveralHostsOnOnePort(Transport transport) throws Exception {
        EventLoopGroup group = TransportGroups.group(transport);
        boolean v6 = java.net.NetworkInterface.networkInterfaces().flatMap(java.net.NetworkInterface::inetAddresses)
                .anyMatch(a -> a.getHostAddress().startsWith("0:0:0:0:0:0:0:1"));
        String[] hosts = v6 ? new String[] {HOST, "::1"} : new String[] {HOST, "127.0.0.2"};
        StreamServer server = await(NettyStreams.startServer(EndToEndTest::echoAsync, Endpoint.tcp(0, hosts),
                ServerOptions.builder().eventLoopGroup(group).build()));
        try {
            assertThat(server.localAddresses()).hasSize(2);
            int port = ((InetSocketAddress) server.localAddresses().get(0)).getPort();
            for (java.net.SocketAddress bound : server.localAddresses()) {
                InetSocketAddress address = (InetSocketAddress) bound;
                assertThat(address.getPort()).as("one port for all hosts").isEqualTo(port);
                try (StreamConnection conn = await(NettyStreams.openConnection(
                        address.getAddress().getHostAddress(), port,
                        ConnectOptions.builder().eventLoopGroup(group).build()))) {
                    conn.writer().write("both\n".getBytes(UTF_8));
                    assertThat(new String(await(conn.reader().readLine()), UTF_8)).isEqualTo("both\n");
                }
            }
        } finally {
            server.close();
            await(server.waitClosed());
        }
        assertThatThrownBy(() -> NettyStreams.startServer(EndToEndTest::echoAsync, Endpoint.tcp(0),
                ServerOptions.DEFAULTS)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no host");
    }
}
