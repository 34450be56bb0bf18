package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.TransportGroups;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.X509Bundle;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A TLS peer's close_notify is EOF for the reader, as asyncio reads it: {@code read(-1)} returns, {@code atEof()}
 * turns true, and the connection still closes cleanly from our side (our close_notify reaches the peer, and
 * {@code waitClosed()} completes normally). On clients and servers, with the JDK provider and OpenSSL, TLS 1.2 and
 * 1.3; against a Netty peer that sends close_notify without closing ({@code SslHandler.closeOutbound}), against
 * Python's {@code ssl} ({@code unwrap()}) and against {@code openssl s_server -www} (skipped when absent).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsCloseNotifyTest {

    private static final String HOST = "127.0.0.1";
    /** How long a step may take before it counts as hung (on old code, {@code read(-1)} waited for ever). */
    private static final long HANG_SECONDS = 20;

    @TempDir
    static Path dir;
    private static X509Bundle root;
    private static X509Bundle server;
    private static Path certFile;
    private static Path keyFile;

    @BeforeAll
    static void certificates() throws Exception {
        root = TestCertificates.root("streams close_notify root");
        server = TestCertificates.localhost(root);
        certFile = dir.resolve("server.pem");
        keyFile = dir.resolve("server.key");
        Files.writeString(certFile, server.getCertificatePEM());
        Files.writeString(keyFile, server.getPrivateKeyPEM());
    }

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (SslProvider provider : new SslProvider[] {SslProvider.JDK, SslProvider.OPENSSL}) {
            for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
                cases.add(Arguments.of(provider, protocol));
            }
        }
        return cases.stream();
    }

    static Stream<SslProvider> providers() {
        return Stream.of(SslProvider.JDK, SslProvider.OPENSSL);
    }

    private static SslProvider check(SslProvider provider) {
        if (provider == SslProvider.OPENSSL) {
            Assumptions.assumeTrue(OpenSsl.isAvailable(), () -> "OpenSSL not available: " + OpenSsl.unavailabilityCause());
        }
        return provider;
    }

    private static SslContext serverContext(SslProvider provider, String protocol) throws Exception {
        return SslContextBuilder.forServer(server.getKeyPair().getPrivate(), server.getCertificatePath())
                .sslProvider(check(provider)).protocols(protocol).build();
    }

    private static SslContext clientContext(SslProvider provider, String protocol) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forClient().trustManager(root.getCertificate())
                .sslProvider(check(provider));
        return (protocol != null ? builder.protocols(protocol) : builder).build();
    }

    private static EventLoopGroup group() {
        return TransportGroups.group(Transport.preferred());
    }

    /** A Netty peer's side of a connection: sends close_notify without closing, records what comes back. */
    private static final class Peer extends ChannelInboundHandlerAdapter {
        private final String send;
        final StringBuilder received = new StringBuilder();
        /** Completed when our close_notify reached the peer (its SslHandler's close completion, successful). */
        final CompletableFuture<Void> ourCloseNotify = new CompletableFuture<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        Peer(String send) {
            this.send = send;
        }

        void handshaken(Channel channel, SslHandler ssl) {
            channel.writeAndFlush(Unpooled.copiedBuffer(send, UTF_8));
            ssl.closeOutbound(); // close_notify, the channel stays open
            channel.closeFuture().addListener(f -> closed.complete(null));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf) {
                    received.append(((ByteBuf) msg).toString(UTF_8));
                }
            } finally {
                ReferenceCountUtil.release(msg); // ours: the last handler
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslCloseCompletionEvent && ((SslCloseCompletionEvent) evt).isSuccess()) {
                ourCloseNotify.complete(null);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static ChannelInitializer<Channel> peerPipeline(SslContext context, Peer peer) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                SslHandler ssl = context.newHandler(ch.alloc(), "localhost", 0);
                ch.pipeline().addLast(ssl, peer);
                ssl.handshakeFuture().addListener(f -> {
                    if (f.isSuccess()) {
                        peer.handshaken(ch, ssl);
                    }
                });
            }
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aClientReadsTheServersCloseNotifyAsEofAndStillClosesCleanly(SslProvider provider, String protocol)
            throws Exception {
        Peer peer = new Peer("hello\n");
        Channel listening = new ServerBootstrap().group(group()).channel(Transport.of(group()).serverChannel())
                .childHandler(peerPipeline(serverContext(provider, protocol), peer))
                .bind(HOST, 0).sync().channel();
        try {
            int port = ((InetSocketAddress) listening.localAddress()).getPort();
            StreamConnection conn = await(NettyStreams.openConnection(HOST, port, ConnectOptions.builder()
                    .eventLoopGroup(group()).sslContext(clientContext(provider, protocol)).build()));
            try {
                assertThat(new String(await(conn.reader().readLine()), UTF_8)).isEqualTo("hello\n");
                CompletableFuture<byte[]> rest = conn.reader().read(-1);
                assertThat(rest.get(HANG_SECONDS, TimeUnit.SECONDS)).as("read(-1) after close_notify").isEmpty();
                assertThat(conn.reader().atEof()).isTrue();
                assertThat(conn.reader().exception()).isNull();
                assertThat(await(conn.reader().readLine())).as("readLine at EOF").isEmpty();
            } finally {
                conn.close();
            }
            conn.writer().waitClosed().get(HANG_SECONDS, TimeUnit.SECONDS); // normally: no error
            peer.ourCloseNotify.get(HANG_SECONDS, TimeUnit.SECONDS);
            peer.closed.get(HANG_SECONDS, TimeUnit.SECONDS);
        } finally {
            listening.close().sync();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aServerReadsTheClientsCloseNotifyAsEofAndStillClosesCleanly(SslProvider provider, String protocol)
            throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        CompletableFuture<Void> closedCleanly = new CompletableFuture<>();
        StreamServer streams = await(NettyStreams.startBlockingServer((reader, writer) -> {
            try {
                String line = new String(await(reader.readLine()), UTF_8);
                byte[] rest = reader.read(-1).get(HANG_SECONDS, TimeUnit.SECONDS);
                seen.complete(line + "|" + new String(rest, UTF_8) + "|atEof=" + reader.atEof()
                        + "|exception=" + reader.exception());
            } catch (Throwable t) {
                seen.completeExceptionally(t);
            }
            writer.close();
            writer.waitClosed().whenComplete((ok, failure) -> {
                if (failure == null) {
                    closedCleanly.complete(null);
                } else {
                    closedCleanly.completeExceptionally(failure);
                }
            });
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(group()).sslContext(serverContext(provider, protocol))
                .build()));
        Peer peer = new Peer("hi\nthere");
        Channel client = null;
        try {
            int port = ((InetSocketAddress) streams.localAddresses().get(0)).getPort();
            client = new Bootstrap().group(group()).channel(Transport.of(group()).socketChannel())
                    .handler(peerPipeline(clientContext(provider, protocol), peer)).connect(HOST, port).sync()
                    .channel();
            assertThat(seen.get(HANG_SECONDS + 10, TimeUnit.SECONDS))
                    .isEqualTo("hi\n|there|atEof=true|exception=null");
            closedCleanly.get(HANG_SECONDS, TimeUnit.SECONDS);
            peer.ourCloseNotify.get(HANG_SECONDS, TimeUnit.SECONDS);
            peer.closed.get(HANG_SECONDS, TimeUnit.SECONDS);
        } finally {
            if (client != null) {
                client.close().sync();
            }
            streams.close();
            streams.closeClients();
            await(streams.waitClosed());
        }
    }

    // ------------------------------------------------------------------------------------- real software

    /** A program of the system, started here; its stdout is read line by line. Killed if still alive at close. */
    private static final class Program implements AutoCloseable {
        final Process process;
        private final BufferedReader out;
        final StringBuilder seen = new StringBuilder();

        Program(List<String> command) throws IOException {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
        }

        /** Reads lines until one matches {@code regex}; returns its first group (the class timeout bounds this). */
        String await(String regex) throws IOException {
            Pattern pattern = Pattern.compile(regex);
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                Matcher matcher = pattern.matcher(line);
                if (matcher.find()) {
                    return matcher.groupCount() > 0 ? matcher.group(1) : line;
                }
            }
            throw new AssertionError("no line matching " + regex + " in:\n" + seen);
        }

        /** Waits for the exit (bounded) and returns the exit code. */
        int exit() throws InterruptedException {
            assertThat(process.waitFor(HANG_SECONDS, TimeUnit.SECONDS)).as("exited; output:%n%s", seen).isTrue();
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean runs(String... command) {
        try {
            Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
            check.getInputStream().readAllBytes();
            return check.waitFor(10, TimeUnit.SECONDS) && check.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static final String PYTHON_SERVER = String.join("\n",
            "import socket, ssl, sys",
            "context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)",
            "context.load_cert_chain(sys.argv[1], sys.argv[2])",
            "listening = socket.create_server(('127.0.0.1', 0))",
            "print('PORT', listening.getsockname()[1], flush=True)",
            "conn, _ = listening.accept()",
            "tls = context.wrap_socket(conn, server_side=True)",
            "tls.sendall(b'hello\\n')",
            "plain = tls.unwrap()  # sends close_notify, then waits for the peer's",
            "print('UNWRAPPED', flush=True)",
            "plain.close()");

    @ParameterizedTest
    @MethodSource("providers")
    void pythonsUnwrapIsEofAndOurCloseAnswersIt(SslProvider provider) throws Exception {
        Assumptions.assumeTrue(runs("python3", "-c", "import ssl"), "python3 with ssl is not installed");
        try (Program python = new Program(List.of("python3", "-c", PYTHON_SERVER, certFile.toString(),
                keyFile.toString()))) {
            int port = Integer.parseInt(python.await("^PORT (\\d+)$"));
            StreamConnection conn = await(NettyStreams.openConnection(HOST, port, ConnectOptions.builder()
                    .eventLoopGroup(group()).sslContext(clientContext(provider, null)).build()));
            try {
                assertThat(new String(await(conn.reader().readLine()), UTF_8)).isEqualTo("hello\n");
                assertThat(conn.reader().read(-1).get(HANG_SECONDS, TimeUnit.SECONDS)).isEmpty();
                assertThat(conn.reader().atEof()).isTrue();
            } finally {
                conn.close();
            }
            conn.writer().waitClosed().get(HANG_SECONDS, TimeUnit.SECONDS);
            python.await("^(UNWRAPPED)$"); // our close_notify answered its unwrap()
            assertThat(python.exit()).as(python.seen.toString()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void openSslServersPageEndsWithCloseNotifyAndReadAllReturnsIt(SslProvider provider) throws Exception {
        Assumptions.assumeTrue(runs("openssl", "version"), "openssl is not installed");
        try (Program openssl = new Program(List.of("openssl", "s_server", "-www", "-naccept", "1", "-accept",
                HOST + ":0", "-cert", certFile.toString(), "-key", keyFile.toString()))) {
            int port = Integer.parseInt(openssl.await("^ACCEPT .*:(\\d+)$"));
            StreamConnection conn = await(NettyStreams.openConnection(HOST, port, ConnectOptions.builder()
                    .eventLoopGroup(group()).sslContext(clientContext(provider, null)).build()));
            try {
                conn.writer().write("GET / HTTP/1.0\r\n\r\n".getBytes(UTF_8));
                String page = new String(conn.reader().read(-1).get(HANG_SECONDS, TimeUnit.SECONDS), UTF_8);
                assertThat(page).startsWith("HTTP/1.0 200 ok").contains("s_server");
                assertThat(conn.reader().atEof()).isTrue();
            } finally {
                conn.close();
            }
            conn.writer().waitClosed().get(HANG_SECONDS, TimeUnit.SECONDS);
            assertThat(openssl.exit()).as("s_server -naccept 1 ends after our connection").isZero();
        }
    }
}
