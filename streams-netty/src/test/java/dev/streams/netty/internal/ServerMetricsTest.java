package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.BlockingClientHandler;
import dev.streams.ClientHandler;
import dev.streams.ServerMetrics;
import dev.streams.StreamConnection;
import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.BlockingSchedulers;
import dev.streams.netty.testing.TransportGroups;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code StreamServer.metrics()} against what each test does over real sockets (epoll, io_uring where it loads, and
 * NIO): N connections moving M bytes each way, a connection refused at {@code maxConnections}, handlers that throw
 * (counted) and connections lost under a handler (not counted), a {@code drain()} that waits for a peer that does not
 * read. Every figure is read once the events it counts have happened (the echo came back, the server's connections
 * have all ended), never inside a time window.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerMetricsTest {

    private static final String HOST = "127.0.0.1";
    private static final int CONNECTIONS = 4;
    private static final int BYTES = 50_000;

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    /** The async echo: every chunk back until EOF. */
    private static CompletionStage<Void> echoAsync(StreamReader reader, StreamWriter writer) {
        return reader.read(8192).thenCompose(chunk -> {
            if (chunk.length == 0) {
                return CompletableFuture.completedFuture(null);
            }
            writer.write(chunk);
            return writer.drain().thenCompose(ignored -> echoAsync(reader, writer));
        });
    }

    /** The blocking echo: every chunk back until EOF. */
    private static final BlockingClientHandler ECHO_BLOCKING = (reader, writer) -> {
        byte[] chunk;
        while ((chunk = await(reader.read(8192))).length > 0) {
            writer.write(chunk);
            await(writer.drain());
        }
    };

    private static ServerOptions.Builder serverOptions(Transport transport) {
        return ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport));
    }

    private static ConnectOptions.Builder clientOptions(Transport transport) {
        return ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport));
    }

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    private static StreamConnection connect(StreamServer server, ConnectOptions options) throws IOException {
        return await(NettyStreams.openConnection(HOST, port(server), options));
    }

    /** Closes the server and waits until every connection it served has ended (and so was counted). */
    private static ServerMetrics closeAndWait(StreamServer server) throws IOException {
        server.close();
        await(server.waitClosed(), Duration.ofSeconds(30));
        return server.metrics();
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * N connections, M bytes each way through the echo: while they are open, N open and accepted and every byte
     * counted once each way; once they end, none open.
     */
    private static void countsConnectionsAndBytes(StreamServer server, Transport transport) throws Exception {
        List<StreamConnection> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                StreamConnection client = connect(server, clientOptions(transport).build());
                clients.add(client);
                byte[] sent = random(BYTES, i);
                client.writer().write(sent);
                assertThat(await(client.reader().readExactly(BYTES))).as("echo %d", i).isEqualTo(sent);
                assertThat(((NettyStreamConnection) client).counters()).as("a client counts nowhere").isNull();
            }
            ServerMetrics metrics = server.metrics();
            assertThat(metrics.connectionsOpen()).isEqualTo(CONNECTIONS);
            assertThat(metrics.connectionsAccepted()).isEqualTo(CONNECTIONS);
            assertThat(metrics.bytesRead()).as("bytes read").isEqualTo((long) CONNECTIONS * BYTES);
            assertThat(metrics.bytesWritten()).as("bytes written").isEqualTo((long) CONNECTIONS * BYTES);
        } finally {
            for (StreamConnection client : clients) {
                client.close();
            }
        }
        ServerMetrics metrics = closeAndWait(server);
        assertThat(metrics.connectionsOpen()).isZero();
        assertThat(metrics.connectionsAccepted()).isEqualTo(CONNECTIONS);
        assertThat(metrics.connectionsRefused()).isZero();
        assertThat(metrics.bytesRead()).isEqualTo((long) CONNECTIONS * BYTES);
        assertThat(metrics.bytesWritten()).isEqualTo((long) CONNECTIONS * BYTES);
        assertThat(metrics.handlerFailures()).isZero();
        if (metrics.drainWaits() == 0) {
            assertThat(metrics.drainWaitNanos()).as("no wait, no time").isZero();
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void connectionsAndBytesOfAnAsyncServerAreCounted(Transport transport) throws Exception {
        StreamServer server = await(NettyStreams.startServer(ServerMetricsTest::echoAsync, HOST, 0,
                serverOptions(transport).build()));
        countsConnectionsAndBytes(server, transport);
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.WITH_TRANSPORTS)
    void connectionsAndBytesOfABlockingServerAreCounted(Transport transport, BlockingScheduler scheduler)
            throws Exception {
        StreamServer server = await(NettyStreams.startBlockingServer(ECHO_BLOCKING, HOST, 0,
                serverOptions(transport).blockingScheduler(scheduler).build()));
        countsConnectionsAndBytes(server, transport);
    }

    @Test
    void bytesAreCountedAboveTlsAsTheApplicationsPlaintext() throws Exception {
        X509Bundle certificate = new CertificateBuilder().subject("CN=localhost").addSanIpAddress(HOST)
                .setIsCertificateAuthority(true).ecp256().buildSelfSigned();
        SslContext serverTls = SslContextBuilder.forServer(certificate.getKeyPair().getPrivate(),
                certificate.getCertificatePath()).build();
        SslContext clientTls = SslContextBuilder.forClient().trustManager(certificate.getCertificate()).build();
        Transport transport = Transport.preferred();
        StreamServer server = await(NettyStreams.startServer(ServerMetricsTest::echoAsync, HOST, 0,
                serverOptions(transport).sslContext(serverTls).build()));
        try (StreamConnection client = connect(server, clientOptions(transport).sslContext(clientTls)
                .serverHostname(HOST).build())) {
            byte[] sent = random(BYTES, 7);
            client.writer().write(sent);
            assertThat(await(client.reader().readExactly(BYTES))).isEqualTo(sent);
        }
        ServerMetrics metrics = closeAndWait(server);
        assertThat(metrics.bytesRead()).as("plaintext, not TLS records").isEqualTo(BYTES);
        assertThat(metrics.bytesWritten()).as("plaintext, not TLS records").isEqualTo(BYTES);
        assertThat(metrics.connectionsAccepted()).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aConnectionBeyondMaxConnectionsIsCountedAsRefusedNotAsAccepted(Transport transport) throws Exception {
        StreamServer server = await(NettyStreams.startServer(ServerMetricsTest::echoAsync, HOST, 0,
                serverOptions(transport).maxConnections(1).build()));
        try (StreamConnection served = connect(server, clientOptions(transport).build())) {
            served.writer().write("ping".getBytes(UTF_8));
            assertThat(await(served.reader().readExactly(4))).as("served").isEqualTo("ping".getBytes(UTF_8));
            try (StreamConnection beyond = connect(server, clientOptions(transport).build())) {
                assertThat(await(beyond.reader().read(-1))).as("closed at once: EOF").isEmpty();
            }
            assertThat(server.metrics().connectionsRefused()).isEqualTo(1);
            assertThat(server.metrics().connectionsAccepted()).isEqualTo(1);
            assertThat(server.metrics().connectionsOpen()).isEqualTo(1);
        }
        ServerMetrics metrics = closeAndWait(server);
        assertThat(metrics.connectionsRefused()).isEqualTo(1);
        assertThat(metrics.connectionsAccepted()).isEqualTo(1);
        assertThat(metrics.bytesRead()).as("a refused connection is never read").isEqualTo(4);
    }

    /**
     * Three connections to an async server: one handler throws (a failure), one loses its connection to a reset (no
     * handler failure: the network's), one ends normally.
     */
    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void aHandlerThatFailsIsCountedAndOneThatLostItsConnectionIsNot(Transport transport) throws Exception {
        ClientHandler handler = (reader, writer) -> reader.readLine().thenApply(line -> {
            if (new String(line, UTF_8).equals("throw\n")) {
                throw new IllegalStateException("a bug in the handler (expected by the test)");
            }
            return null;
        });
        StreamServer server = await(NettyStreams.startServer(handler, HOST, 0, serverOptions(transport).build()));
        try (Socket failing = new Socket(HOST, port(server));
             Socket reset = new Socket(HOST, port(server));
             Socket fine = new Socket(HOST, port(server))) {
            failing.getOutputStream().write("throw\n".getBytes(UTF_8));
            assertThat(failing.getInputStream().read()).as("closed after the failure").isEqualTo(-1);
            reset.getOutputStream().write("no newline".getBytes(UTF_8));
            reset.setSoLinger(true, 0);
            reset.close(); // RST: the handler's readLine fails with the connection's loss
            fine.getOutputStream().write("fine\n".getBytes(UTF_8));
            assertThat(fine.getInputStream().read()).as("closed after the handler ended").isEqualTo(-1);
        }
        ServerMetrics metrics = closeAndWait(server);
        assertThat(metrics.handlerFailures()).as("only the handler that threw").isEqualTo(1);
        assertThat(metrics.connectionsAccepted()).isEqualTo(3);
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.WITH_TRANSPORTS)
    void aBlockingHandlerThatThrowsIsCounted(Transport transport, BlockingScheduler scheduler) throws Exception {
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            if (new String(await(reader.readLine()), UTF_8).equals("throw\n")) {
                throw new IOException("a handler's own IOException (expected by the test)");
            }
        }, HOST, 0, serverOptions(transport).blockingScheduler(scheduler).build()));
        try (Socket failing = new Socket(HOST, port(server)); Socket fine = new Socket(HOST, port(server))) {
            failing.getOutputStream().write("throw\n".getBytes(UTF_8));
            fine.getOutputStream().write("fine\n".getBytes(UTF_8));
            assertThat(failing.getInputStream().read()).isEqualTo(-1);
            assertThat(fine.getInputStream().read()).isEqualTo(-1);
        }
        ServerMetrics metrics = closeAndWait(server);
        assertThat(metrics.handlerFailures()).isEqualTo(1);
    }

    /** Small socket buffers on both sides, so that the kernel holds far less than the handler writes. */
    private static final int SOCKET_BUFFER = 4096;
    /** What the handler writes at once: far beyond the high water mark and the socket buffers. */
    private static final int LARGE = 1 << 20;

    /**
     * A handler writes 1 MiB to a peer that does not read, and its {@code drain()} waits. While it waits, nothing is
     * counted (a wait counts when it ends); once the peer has read it all, one wait, at least as long as the peer kept
     * from reading after the wait began.
     */
    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aDrainThatWaitsForAPeerThatDoesNotReadIsCountedWithItsTime(Transport transport) throws Exception {
        CompletableFuture<Boolean> drainDoneAtOnce = new CompletableFuture<>();
        StreamServer server = await(NettyStreams.startServer((reader, writer) -> {
            writer.write(new byte[LARGE]);
            CompletableFuture<Void> drained = writer.drain();
            drainDoneAtOnce.complete(drained.isDone());
            return drained;
        }, HOST, 0, serverOptions(transport).option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER).build()));
        try (StreamConnection client = connect(server, clientOptions(transport)
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER).build())) {
            assertThat(await(drainDoneAtOnce, Duration.ofSeconds(30))).as("the drain waits").isFalse();
            long waitingSince = System.nanoTime(); // the wait began before this
            assertThat(server.metrics().drainWaits()).as("still waiting: not counted yet").isZero();
            assertThat(server.metrics().drainWaitNanos()).isZero();
            long notReadFor = System.nanoTime() - waitingSince; // the peer starts reading now
            assertThat(await(client.reader().read(-1))).as("everything, then EOF").hasSize(LARGE);
            ServerMetrics metrics = closeAndWait(server);
            assertThat(metrics.drainWaits()).isEqualTo(1);
            assertThat(metrics.drainWaitNanos()).as("at least while the peer did not read")
                    .isGreaterThanOrEqualTo(notReadFor).isPositive();
            assertThat(metrics.bytesWritten()).isEqualTo(LARGE);
        }
    }

    /** A waiting drain that fails because the peer reset the connection is a wait too, counted once. */
    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void aDrainFailedByTheConnectionsLossIsCountedOnceAndIsNoHandlerFailure(Transport transport) throws Exception {
        CompletableFuture<Boolean> drainDoneAtOnce = new CompletableFuture<>();
        CompletableFuture<Throwable> drainFailure = new CompletableFuture<>();
        StreamServer server = await(NettyStreams.startServer((reader, writer) -> {
            writer.write(new byte[LARGE]);
            CompletableFuture<Void> drained = writer.drain();
            drainDoneAtOnce.complete(drained.isDone());
            drained.whenComplete((ok, failure) -> drainFailure.complete(failure));
            return drained;
        }, HOST, 0, serverOptions(transport).option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER).build()));
        try (Socket peer = new Socket()) {
            peer.setReceiveBufferSize(SOCKET_BUFFER);
            peer.connect(new InetSocketAddress(HOST, port(server)));
            assertThat(await(drainDoneAtOnce, Duration.ofSeconds(30))).as("the drain waits").isFalse();
            peer.setSoLinger(true, 0);
        } // RST
        assertThat(await(drainFailure, Duration.ofSeconds(30))).as("the drain failed with the loss")
                .isInstanceOf(IOException.class);
        ServerMetrics metrics = closeAndWait(server);
        assertThat(metrics.drainWaits()).isEqualTo(1);
        assertThat(metrics.drainWaitNanos()).isPositive();
        assertThat(metrics.handlerFailures()).as("the network's failure, not the handler's").isZero();
    }

    @Test
    void metricsIsOneLiveViewThatOutlivesTheServer() throws Exception {
        StreamServer server = await(NettyStreams.startServer(ServerMetricsTest::echoAsync, HOST, 0,
                serverOptions(Transport.preferred()).build()));
        ServerMetrics before = server.metrics();
        assertThat(before.connectionsAccepted()).isZero();
        assertThat(before.bytesRead()).isZero();
        try (StreamConnection client = connect(server, clientOptions(Transport.preferred()).build())) {
            client.writer().write("x".getBytes(UTF_8));
            assertThat(await(client.reader().readExactly(1))).containsExactly('x');
        }
        ServerMetrics after = closeAndWait(server);
        assertThat(after).isSameAs(before);
        assertThat(before.connectionsAccepted()).as("the first view sees the later counts").isEqualTo(1);
        assertThat(before.toString()).contains("accepted 1", "read 1 B", "written 1 B");
    }
}
