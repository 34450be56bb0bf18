package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static dev.streams.netty.reliability.Rel.port;
import static dev.streams.netty.reliability.Rel.within;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.IncompleteReadException;
import dev.streams.StreamConnection;
import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.netty.testing.BlockingSchedulers;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.internal.Internals;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A peer resets the connection (SO_LINGER 0, then close: an RST) in the middle of {@code readExactly},
 * {@code readUntil}, {@code drain} and {@code waitClosed}, on the client and on a server: each fails with the reset
 * (an {@link IOException}) or {@link IncompleteReadException} holding the bytes received, within the hang bound, and
 * the bytes that arrived before the reset can still be read.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(DirectMemoryCheck.class)
class PeerResetTest {

    private static final byte[] ABC = "abc".getBytes(US_ASCII);

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    /** A plain-socket peer and our client connected to it. */
    private static final class Peer implements AutoCloseable {
        final ServerSocket listening;
        final Socket accepted;
        final StreamConnection client;

        Peer(Transport transport, int receiveBuffer) throws Exception {
            listening = new ServerSocket();
            if (receiveBuffer > 0) {
                listening.setReceiveBufferSize(receiveBuffer);
            }
            listening.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0), 1);
            CompletableFuture<StreamConnection> connecting = NettyStreams.openConnection(HOST,
                    listening.getLocalPort(),
                    ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build());
            accepted = listening.accept();
            client = within(connecting);
        }

        /** Sends bytes and waits until our client's channel has read them. */
        void send(byte[] bytes) throws Exception {
            CompletableFuture<Void> received = Internals.whenReceived(client.writer(), bytes.length);
            accepted.getOutputStream().write(bytes);
            accepted.getOutputStream().flush();
            within(received);
        }

        void reset() throws IOException {
            accepted.setSoLinger(true, 0);
            accepted.close();
        }

        @Override
        public void close() throws IOException {
            client.writer().abort();
            accepted.close();
            listening.close();
        }
    }

    /** The failure of a future, unwrapped; fails the test when it succeeded or hangs. */
    private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        try {
            within(future);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("did not fail: " + future);
    }

    /**
     * A read waiting with "abc" buffered is hit by a reset: it fails with the reset (then "abc" is still readable,
     * and later reads fail with the same cause) or with IncompleteReadException holding "abc".
     */
    private static String readInterruptedByReset(Transport transport,
                                                 Function<StreamReader, CompletableFuture<byte[]>> read)
            throws Exception {
        try (Peer peer = new Peer(transport, 0)) {
            StreamReader reader = peer.client.reader();
            CompletableFuture<byte[]> pending = read.apply(reader);
            peer.send(ABC);
            assertThat(pending).as("still waiting with 3 bytes").isNotDone();
            peer.reset();
            Throwable cause = failureOf(pending);
            assertThat(cause).isInstanceOf(IOException.class);
            if (cause instanceof IncompleteReadException) {
                assertThat(((IncompleteReadException) cause).partial()).isEqualTo(ABC);
            } else {
                assertThat(reader.exception()).isSameAs(cause);
                assertThat(await(reader.read(10))).as("bytes received before the reset").isEqualTo(ABC);
                assertThatThrownBy(() -> await(reader.read(10))).isSameAs(cause);
                assertThatThrownBy(() -> await(peer.client.writer().waitClosed())).isSameAs(cause);
            }
            return cause.getClass().getSimpleName() + "(" + cause.getMessage() + ")";
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void aResetInTheMiddleOfReadExactly(Transport transport) throws Exception {
        String outcome = readInterruptedByReset(transport, reader -> reader.readExactly(10));
        figure("reset-readExactly-" + transport.name().toLowerCase(), "readExactly(10) with 3 bytes in failed with"
                + " %s; the 3 bytes stayed readable", outcome);
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void aResetInTheMiddleOfReadUntil(Transport transport) throws Exception {
        String outcome = readInterruptedByReset(transport, reader -> reader.readUntil(new byte[] {'\r', '\n'}));
        figure("reset-readUntil-" + transport.name().toLowerCase(), "readUntil(CRLF) with 3 bytes in failed with %s;"
                + " the 3 bytes stayed readable", outcome);
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void aResetInTheMiddleOfDrain(Transport transport) throws Exception {
        try (Peer peer = new Peer(transport, 8 * 1024)) {
            CompletableFuture<Void> drain;
            long written = 0;
            do {
                peer.client.writer().write(new byte[64 * 1024]);
                written += 64 * 1024;
                drain = peer.client.writer().drain();
                assertThat(written).as("the peer's buffers never filled").isLessThan(1L << 30);
            } while (drain.isDone());
            peer.reset();
            // The pending drain() fails with the reset, unless the queue fell below the low water mark before the
            // RST arrived (the peer's kernel took more): then it completes, and a later drain() must fail. Bounded.
            Throwable cause = null;
            int drainsAfterReset = 0;
            for (; cause == null && drainsAfterReset < 1000; drainsAfterReset++) {
                cause = within(drain.handle((ok, failure) -> failure));
                if (cause == null) {
                    peer.client.writer().write(new byte[64 * 1024]);
                    drain = peer.client.writer().drain();
                }
            }
            assertThat(cause).isInstanceOf(IOException.class);
            assertThat(peer.client.writer().isClosing()).isTrue();
            peer.client.writer().write(new byte[10]); // dropped, not thrown: the peer is gone
            assertThatThrownBy(() -> await(peer.client.writer().drain())).isInstanceOf(IOException.class);
            figure("reset-drain-" + transport.name().toLowerCase(), "drain() pending after %d bytes failed with %s"
                    + " (drains awaited after the reset: %d)", written,
                    cause.getClass().getSimpleName() + "(" + cause.getMessage() + ")", drainsAfterReset);
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void aResetWhileWaitingForClose(Transport transport) throws Exception {
        try (Peer peer = new Peer(transport, 0)) {
            CompletableFuture<Void> closed = peer.client.writer().waitClosed();
            peer.send(ABC);
            peer.reset();
            Throwable cause = failureOf(closed);
            assertThat(cause).isInstanceOf(IOException.class);
            assertThat(await(peer.client.reader().read(10))).as("bytes received before the reset").isEqualTo(ABC);
            assertThatThrownBy(() -> await(peer.client.reader().read(10))).isSameAs(cause);
            figure("reset-waitClosed-" + transport.name().toLowerCase(), "waitClosed() failed with %s",
                    cause.getClass().getSimpleName() + "(" + cause.getMessage() + ")");
        }
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.WITH_RESET_REPORTING_TRANSPORTS)
    void aResetInTheMiddleOfAServersBlockingReadExactly(Transport transport, BlockingScheduler scheduler)
            throws Exception {
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        CompletableFuture<byte[]> after = new CompletableFuture<>();
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            try {
                await(reader.readExactly(10));
                failed.complete(null);
            } catch (IOException e) {
                failed.complete(e);
                try {
                    after.complete(e instanceof IncompleteReadException
                            ? ((IncompleteReadException) e).partial() : await(reader.read(10)));
                } catch (IOException again) {
                    after.completeExceptionally(again);
                }
            }
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport))
                .blockingScheduler(scheduler).build()));
        try (Socket peer = new Socket(HOST, port(server))) {
            peer.getOutputStream().write(ABC);
            peer.getOutputStream().flush();
            // The reset may overtake the 3 bytes on their way into the server's reader; either outcome must keep
            // them (Linux delivers the data queued before an RST first).
            peer.setSoLinger(true, 0);
        } // RST
        Throwable cause = within(failed);
        assertThat(cause).isInstanceOf(IOException.class);
        assertThat(within(after)).isEqualTo(ABC);
        server.close();
        within(server.waitClosed());
        figure("reset-server-readExactly-" + transport.name().toLowerCase(), "a blocking server's readExactly(10)"
                + " failed with %s; the 3 bytes stayed readable", cause.getClass().getSimpleName());
    }
}
