package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.TransportGroups;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The blocking views: {@code reader.asInputStream()} under the JDK's own stream stack (gzip, readers, data streams)
 * and {@code writer.asOutputStream()} under {@code DataOutputStream}, each against a peer made of plain JDK sockets;
 * back-pressure in blocking writes, the EOF and failure mapping a stream user expects, and the refusal on an event
 * loop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamViewsTest {

    private static final String HOST = "127.0.0.1";

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    private static ConnectOptions clientOptions(Transport transport) {
        return ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build();
    }

    /** A JDK server socket on 127.0.0.1:0 whose one connection is handled by {@code peer} on a thread of its own. */
    private static final class Peer implements AutoCloseable {
        final ServerSocket server;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Peer(PeerBody body) throws IOException {
            server = new ServerSocket(0, 1, InetAddress.getByName(HOST));
            Thread thread = new Thread(() -> {
                try (Socket socket = server.accept()) {
                    body.run(socket);
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            }, "jdk-peer");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @FunctionalInterface
    private interface PeerBody {
        void run(Socket socket) throws Exception;
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void gzipCompressedLinesReadThroughBufferedReaderOverTheInputStreamView(Transport transport) throws Exception {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            sent.add("строка " + i + " " + "x".repeat(i % 97));
        }
        try (Peer peer = new Peer(socket -> {
            try (OutputStream gzip = new GZIPOutputStream(socket.getOutputStream())) {
                for (String line : sent) {
                    gzip.write((line + "\n").getBytes(UTF_8));
                }
            }
        }); StreamConnection conn = await(NettyStreams.openConnection(HOST, peer.port(), clientOptions(transport)))) {
            List<String> received = new ArrayList<>();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                    new GZIPInputStream(conn.reader().asInputStream()), UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    received.add(line);
                }
            }
            assertThat(received).isEqualTo(sent);
            peer.done.get(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void dataOutputStreamOverTheOutputStreamViewIsReadByDataInputStream(Transport transport) throws Exception {
        CompletableFuture<List<Object>> read = new CompletableFuture<>();
        try (Peer peer = new Peer(socket -> {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            List<Object> values = new ArrayList<>();
            values.add(in.readInt());
            values.add(in.readLong());
            values.add(in.readUTF());
            values.add(in.readDouble());
            values.add(in.read()); // -1: the client closed after its last write
            read.complete(values);
        }); StreamConnection conn = await(NettyStreams.openConnection(HOST, peer.port(), clientOptions(transport)))) {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(conn.writer().asOutputStream()))) {
                out.writeInt(42);
                out.writeLong(-7L);
                out.writeUTF("Привет");
                out.writeDouble(2.5);
            } // close: flushes, then the writer's close()
            assertThat(read.get(30, TimeUnit.SECONDS)).containsExactly(42, -7L, "Привет", 2.5, -1);
            await(conn.writer().waitClosed());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aBlockingWriteWaitsAtTheHighWaterMarkUntilThePeerReads(Transport transport) throws Exception {
        byte[] chunk = new byte[64 * 1024];
        new Random(11).nextBytes(chunk);
        int chunks = 512; // 32 MiB: far more than the socket buffers and the high water mark hold
        CountDownLatch startReading = new CountDownLatch(1);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (Peer peer = new Peer(socket -> {
            startReading.await();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                sha.update(buf, 0, n);
            }
            received.complete(sha.digest());
        }); StreamConnection conn = await(NettyStreams.openConnection(HOST, peer.port(), clientOptions(transport)))) {
            OutputStream out = conn.writer().asOutputStream();
            CompletableFuture<Void> written = new CompletableFuture<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < chunks; i++) {
                        out.write(chunk);
                    }
                    out.close();
                    written.complete(null);
                } catch (Throwable t) {
                    written.completeExceptionally(t);
                }
            }, "view-writer");
            writer.start();

            // The peer reads nothing yet: the writing thread must end up waiting in a write, not finish.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (writer.getState() != Thread.State.WAITING && !written.isDone() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(written).as("32 MiB written without waiting for a peer that reads nothing").isNotDone();

            startReading.countDown();
            written.get(30, TimeUnit.SECONDS);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < chunks; i++) {
                sha.update(chunk);
            }
            assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(sha.digest());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void eofIsMinusOneSoDataInputStreamThrowsItsOwnEofException(Transport transport) throws Exception {
        try (Peer peer = new Peer(socket -> socket.getOutputStream().write(new byte[] {0, 1}));
             StreamConnection conn = await(NettyStreams.openConnection(HOST, peer.port(),
                     clientOptions(transport)))) {
            DataInputStream in = new DataInputStream(conn.reader().asInputStream());
            assertThatThrownBy(in::readInt).isExactlyInstanceOf(EOFException.class);
            assertThat(conn.reader().asInputStream().read()).isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void closingTheInputStreamViewLeavesTheConnectionOpen(Transport transport) throws Exception {
        CompletableFuture<String> heard = new CompletableFuture<>();
        try (Peer peer = new Peer(socket -> {
            socket.getOutputStream().write("hi\n".getBytes(UTF_8));
            heard.complete(new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8)).readLine());
        }); StreamConnection conn = await(NettyStreams.openConnection(HOST, peer.port(), clientOptions(transport)))) {
            InputStream in = conn.reader().asInputStream();
            assertThat(in.read()).isEqualTo('h');
            in.close();
            assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("Stream closed");
            assertThat(new String(await(conn.reader().readLine()), UTF_8)).isEqualTo("i\n");
            conn.writer().write("still open\n".getBytes(UTF_8));
            assertThat(heard.get(30, TimeUnit.SECONDS)).isEqualTo("still open");
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void theViewsRefuseToBlockAnEventLoop(Transport transport) throws Exception {
        CompletableFuture<List<Throwable>> refusals = new CompletableFuture<>();
        StreamServer server = await(NettyStreams.startServer((reader, writer) -> {
            List<Throwable> seen = new ArrayList<>();
            for (ThrowingCall call : List.<ThrowingCall>of(() -> reader.asInputStream().read(),
                    () -> writer.asOutputStream().write(1), () -> writer.asOutputStream().flush())) {
                try {
                    call.run();
                } catch (Throwable t) {
                    seen.add(t);
                }
            }
            refusals.complete(seen);
            return null;
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build()));
        try (StreamConnection conn = await(NettyStreams.openConnection(HOST,
                ((InetSocketAddress) server.localAddresses().get(0)).getPort(), clientOptions(transport)))) {
            assertThat(refusals.get(30, TimeUnit.SECONDS)).hasSize(3).allSatisfy(t ->
                    assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("event-loop"));
            assertThat(conn.reader().read(-1).get(30, TimeUnit.SECONDS)).as("nothing was written").isEmpty();
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void aFailureThatIsNotAnIOExceptionReachesTheInputStreamAsOne() {
        FeedableStreamReader reader = NettyStreams.newReader(1024);
        IllegalArgumentException pipeline = new IllegalArgumentException("an outbound handler's bug");
        reader.setException(pipeline);
        InputStream in = reader.asInputStream();
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasCause(pipeline);
    }
}
