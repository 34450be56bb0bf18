package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static dev.streams.netty.reliability.Rel.port;
import static dev.streams.netty.reliability.Rel.within;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.internal.TestCertificates;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.pkitesting.X509Bundle;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code idleTimeout}: a connection that neither reads nor writes a byte for that long is closed, its pending and
 * later reads fail with a {@link SocketTimeoutException} saying so (after the bytes already buffered), {@code atEof()}
 * stays false, {@code drain()} and {@code waitClosed()} fail as for any other loss. On an {@link EmbeddedChannel} with a
 * frozen clock (reads and writes restart it), on servers and clients over epoll and NIO, and with TLS, whose
 * handshake keeps its own timeout. No timing is asserted beyond "not before its time".
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(DirectMemoryCheck.class)
class IdleTimeoutTest {

    private static final Duration SHORT = Duration.ofMillis(300);

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    private static ByteBuf pooled(String text) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(text.length());
        buf.writeCharSequence(text, US_ASCII);
        return buf;
    }

    private static void advance(EmbeddedChannel channel, long seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void anAttachedChannelIsClosedOnceNeitherReadNorWriteHappenedForTheTimeout() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        try {
            StreamConnection conn = NettyStreams.attach(channel,
                    ConnectOptions.builder().idleTimeout(Duration.ofSeconds(30)).build());
            CompletableFuture<byte[]> line = conn.reader().readLine();
            advance(channel, 29);
            assertThat(channel.isOpen()).as("29 s idle").isTrue();
            channel.writeInbound(pooled("x")); // a read: the clock restarts
            advance(channel, 29);
            assertThat(channel.isOpen()).as("29 s after the read").isTrue();
            conn.writer().write("y".getBytes(US_ASCII)); // a write: the clock restarts
            channel.runPendingTasks();
            ((ByteBuf) channel.readOutbound()).release();
            advance(channel, 29);
            assertThat(channel.isOpen()).as("29 s after the write").isTrue();
            assertThat(line).isNotDone();
            advance(channel, 1);
            assertThat(channel.isOpen()).as("30 s after the write").isFalse();

            assertThatThrownBy(line::join).isInstanceOf(CompletionException.class).cause()
                    .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("idle for 30 s");
            Throwable cause = conn.reader().exception();
            assertThat(new String(conn.reader().read(10).join(), US_ASCII)).as("bytes buffered before").isEqualTo("x");
            assertThatThrownBy(() -> conn.reader().read(10).join()).cause().isSameAs(cause);
            assertThat(conn.reader().atEof()).isFalse();
            assertThatThrownBy(() -> conn.writer().drain().join()).cause().isSameAs(cause);
            assertThatThrownBy(() -> conn.writer().waitClosed().join()).cause().isSameAs(cause);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void withoutAnIdleTimeoutNothingIsClosed() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        try {
            StreamConnection conn = NettyStreams.attach(channel);
            advance(channel, 365 * 24 * 3600);
            assertThat(channel.isOpen()).isTrue();
            assertThat(conn.reader().exception()).isNull();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void badValuesAreRefused() {
        assertThatThrownBy(() -> ServerOptions.builder().idleTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("idleTimeout <= 0: PT0S");
        assertThatThrownBy(() -> ConnectOptions.builder().idleTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idleTimeout <= 0");
        assertThatThrownBy(() -> ConnectOptions.builder().idleTimeout(Duration.ofDays(365L * 1000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too long");
        assertThat(ServerOptions.DEFAULTS.idleTimeout()).as("default: none, as asyncio").isNull();
        assertThat(ConnectOptions.builder().idleTimeout(SHORT).idleTimeout(null).build().idleTimeout()).isNull();
        assertThat(ServerOptions.builder().idleTimeout(SHORT).build().toBuilder().build().idleTimeout())
                .isEqualTo(SHORT);
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aServerClosesAnIdleClientAndItsReadFailsWithATimeout(Transport transport) throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        long[] failedAt = new long[1];
        boolean[] atEof = new boolean[1];
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            try {
                await(reader.readLine()); // the client sends nothing
                failure.complete(null);
            } catch (Throwable t) {
                failedAt[0] = System.nanoTime();
                atEof[0] = reader.atEof();
                writer.waitClosed().whenComplete((ok, e) ->
                        closed.complete(e instanceof CompletionException ? e.getCause() : e));
                failure.complete(t);
            }
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport)).idleTimeout(SHORT)
                .build()));
        // Before the connection exists: its idle clock cannot have started earlier. (No exchange first: it would
        // have to happen within the timeout, which a busy machine does not promise.)
        long beforeConnect = System.nanoTime();
        try (Socket client = new Socket(HOST, port(server))) {
            InputStream in = client.getInputStream();
            assertThat(in.read()).as("EOF from the server's idle close").isEqualTo(-1);
            Throwable cause = within(failure);
            assertThat(cause).isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("idle for 300 ms").hasMessageContaining("StreamConnection[");
            assertThat(within(closed)).as("waitClosed fails with it").isSameAs(cause);
            assertThat(atEof[0]).as("atEof() after the idle close").isFalse();
            long idleMillis = TimeUnit.NANOSECONDS.toMillis(failedAt[0] - beforeConnect);
            assertThat(idleMillis).as("not before its time").isGreaterThanOrEqualTo(SHORT.toMillis());
            figure("idle-timeout-server-" + transport.name().toLowerCase(java.util.Locale.ROOT),
                    "idleTimeout 300 ms: read failed %d ms after the connection began", idleMillis);
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aClientsIdleTimeoutFailsItsPendingRead(Transport transport) throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            CompletableFuture<StreamConnection> connecting = NettyStreams.openConnection(HOST,
                    listening.getLocalPort(), ConnectOptions.builder()
                            .eventLoopGroup(TransportGroups.group(transport)).idleTimeout(SHORT).build());
            try (Socket accepted = listening.accept()) {
                StreamConnection conn = within(connecting);
                long start = System.nanoTime();
                CompletableFuture<byte[]> read = conn.reader().readExactly(10);
                assertThatThrownBy(() -> within(read)).cause().isInstanceOf(SocketTimeoutException.class)
                        .hasMessageContaining("idle for 300 ms");
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(conn.reader().atEof()).isFalse();
                assertThat(accepted.getInputStream().read()).as("the peer sees the close").isEqualTo(-1);
                figure("idle-timeout-client-" + transport.name().toLowerCase(java.util.Locale.ROOT),
                        "idleTimeout 300 ms: pending read failed after %d ms", millis);
            }
        }
    }

    @Test
    void aTlsHandshakeKeepsItsOwnTimeoutAndTheIdleClockStartsAfterIt() throws Exception {
        X509Bundle root = TestCertificates.root("idle root");
        X509Bundle cert = TestCertificates.localhost(root);
        SslContext clientTls = SslContextBuilder.forClient().trustManager(root.getCertificate()).build();
        SslContext serverTls = SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath())
                .build();
        Transport transport = Transport.preferred();
        // A silent server: the handshake never completes. The handshake timeout (1 s) fails it, not the idle one.
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            CompletableFuture<StreamConnection> connecting = NettyStreams.openConnection(HOST, silent.getLocalPort(),
                    ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).sslContext(clientTls)
                            .handshakeTimeout(Duration.ofSeconds(1)).idleTimeout(Duration.ofMillis(100)).build());
            try (Socket accepted = silent.accept()) {
                assertThatThrownBy(() -> within(connecting)).cause()
                        .isInstanceOf(SslHandshakeTimeoutException.class);
            }
        }
        // After the handshake, an idle TLS connection is closed by the idle timeout.
        CompletableFuture<Throwable> serverSide = new CompletableFuture<>();
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            try {
                await(reader.readLine());
                serverSide.complete(null);
            } catch (Throwable t) {
                serverSide.complete(t);
            }
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport)).sslContext(serverTls)
                .idleTimeout(SHORT).build()));
        try (StreamConnection conn = await(NettyStreams.openConnection(HOST, port(server), ConnectOptions.builder()
                .eventLoopGroup(TransportGroups.group(transport)).sslContext(clientTls).build()))) {
            assertThat(within(serverSide)).isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("idle for 300 ms");
            assertThat(within(conn.reader().read(-1))).as("the client reads the close as EOF").isEmpty();
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }
}
