package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.TransportGroups;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Failures surface as the JDK's types on every transport: a port in use is a {@link BindException}, a refused connect
 * a {@link ConnectException}, a reset a {@link SocketException} saying "Connection reset" (reads) or naming the
 * system's reason (writes), the transport's own exception as the cause.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JdkExceptionsTest {

    private static final String HOST = "127.0.0.1";
    private static final Duration HANG = Duration.ofSeconds(30);

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aPortInUseIsABindExceptionNamingTheAddress(Transport transport) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> await(NettyStreams.startServer((reader, writer) -> null, HOST, port,
                    ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build())))
                    .isInstanceOf(BindException.class)
                    .hasMessage("Address already in use: " + HOST + ":" + port)
                    .cause().isInstanceOf(transport == Transport.NIO ? BindException.class
                            : Errors.NativeIoException.class);
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aRefusedConnectIsAConnectException(Transport transport) throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            port = closed.getLocalPort();
        }
        assertThatThrownBy(() -> await(NettyStreams.openConnection(HOST, port, ConnectOptions.builder()
                .eventLoopGroup(TransportGroups.group(transport)).build())))
                .isInstanceOf(ConnectException.class).hasMessageContaining("Connection refused");
    }

    /** A plain-socket peer and our client connected to it. */
    private static final class Peer implements AutoCloseable {
        final ServerSocket listening;
        final Socket accepted;
        final StreamConnection client;

        Peer(Transport transport) throws Exception {
            listening = new ServerSocket(0, 1, InetAddress.getByName(HOST));
            CompletableFuture<StreamConnection> connecting = NettyStreams.openConnection(HOST,
                    listening.getLocalPort(), ConnectOptions.builder()
                            .eventLoopGroup(TransportGroups.group(transport)).build());
            accepted = listening.accept();
            client = await(connecting, HANG);
        }

        void reset() throws IOException {
            accepted.setSoLinger(true, 0);
            accepted.close(); // an RST
        }

        @Override
        public void close() throws IOException {
            client.writer().abort();
            accepted.close();
            listening.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void aResetUnderAReadIsASocketExceptionSayingConnectionReset(Transport transport) throws Exception {
        try (Peer peer = new Peer(transport)) {
            CompletableFuture<byte[]> pending = peer.client.reader().readLine();
            peer.reset();
            assertThatThrownBy(() -> await(pending, HANG)).isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset")
                    .satisfies(reset -> {
                        if (transport != Transport.NIO) { // NIO's already is the JDK's, with no cause
                            assertThat(reset.getCause()).isInstanceOf(Errors.NativeIoException.class);
                        }
                    });
            assertThatThrownBy(() -> await(peer.client.writer().waitClosed(), HANG))
                    .as("waitClosed fails with the same").isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset");
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void writingIntoAResetConnectionFailsDrainWithASocketException(Transport transport) throws Exception {
        try (Peer peer = new Peer(transport)) {
            peer.reset();
            byte[] block = new byte[64 * 1024];
            Throwable failure = null;
            for (int i = 0; i < 10_000 && failure == null; i++) { // writes until the kernel reports the reset
                peer.client.writer().write(block);
                try {
                    await(peer.client.writer().drain(), HANG);
                } catch (IOException e) {
                    failure = e;
                }
            }
            assertThat(failure).as("drain() failed").isNotNull();
            if (!(failure instanceof ClosedChannelException)) { // when the read side saw the RST first
                assertThat(failure).isInstanceOf(SocketException.class);
                assertThat(failure.getMessage()).isIn("Connection reset", "Broken pipe");
            }
            Throwable closed = waitClosedFailure(peer.client);
            assertThat(closed).as("the connection's failure").isInstanceOf(SocketException.class);
            assertThat(closed.getMessage()).isIn("Connection reset", "Broken pipe");
        }
    }

    private static Throwable waitClosedFailure(StreamConnection connection) {
        try {
            await(connection.writer().waitClosed(), HANG);
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /**
     * Netty's {@code Errors} class initialises from the native library: touching it before the library is loaded
     * would break it for the whole JVM. In the library, only a native transport's exceptions lead there.
     */
    private static void nativeLibraryLoaded() {
        Assumptions.assumeTrue(Transport.EPOLL.isAvailable(), "the epoll native library does not load here");
    }

    @Test
    void nativeAndNioFailuresOfAConnectionTranslate() {
        nativeLibraryLoaded();
        Errors.NativeIoException reset = new Errors.NativeIoException(
                "recvAddress(..) failed with error(-104): Connection reset by peer", Errors.ERRNO_ECONNRESET_NEGATIVE);
        assertThat(JdkExceptions.ofConnection(reset)).isInstanceOf(SocketException.class)
                .hasMessage("Connection reset").hasCause(reset);
        Errors.NativeIoException pipe = new Errors.NativeIoException(
                "writevAddresses(..) failed with error(-32): Broken pipe", Errors.ERRNO_EPIPE_NEGATIVE);
        assertThat(JdkExceptions.ofConnection(pipe)).isInstanceOf(SocketException.class)
                .hasMessage("Broken pipe").hasCause(pipe);
        IOException nioReset = new IOException("Connection reset by peer");
        assertThat(JdkExceptions.ofConnection(nioReset)).isInstanceOf(SocketException.class)
                .hasMessage("Connection reset").hasCause(nioReset);
        IOException nioPipe = new IOException("Broken pipe");
        assertThat(JdkExceptions.ofConnection(nioPipe)).isInstanceOf(SocketException.class)
                .hasMessage("Broken pipe").hasCause(nioPipe);
        for (Throwable unchanged : new Throwable[] {new SocketException("Connection reset"),
                new ClosedChannelException(), new SSLException("bad record"), new IOException("something else")}) {
            assertThat(JdkExceptions.ofConnection(unchanged)).isSameAs(unchanged);
        }
    }

    @Test
    void aBindFailureNamesTheAddressAndKeepsTheCause() {
        nativeLibraryLoaded();
        Errors.NativeIoException inUse = new Errors.NativeIoException(
                "bind(..) failed with error(-98): Address already in use", -98);
        assertThat(JdkExceptions.ofBind(inUse, new InetSocketAddress("::1", 8888))).isInstanceOf(BindException.class)
                .hasMessage("Address already in use: [0:0:0:0:0:0:0:1]:8888").hasCause(inUse);
        IllegalArgumentException notIo = new IllegalArgumentException("unsupported address");
        assertThat(JdkExceptions.ofBind(notIo, new InetSocketAddress(0))).isSameAs(notIo);
    }

    @Test
    void aServersReaderSeesTheSameTypes() throws Exception {
        CompletableFuture<Void> started = new CompletableFuture<>();
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            started.complete(null);
            try {
                await(reader.readLine());
                seen.complete(null);
            } catch (IOException e) {
                seen.complete(e);
            }
        }, HOST, 0, ServerOptions.builder().eventLoopGroup(TransportGroups.group(Transport.preferred())).build()));
        try (Socket socket = new Socket(HOST, ((InetSocketAddress) server.localAddresses().get(0)).getPort())) {
            started.get(30, TimeUnit.SECONDS); // the handler runs: its reader is the one that sees the reset
            socket.setSoLinger(true, 0);
            socket.close();
            assertThat(seen.get(30, TimeUnit.SECONDS)).isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset");
        } finally {
            server.close();
            await(server.waitClosed(), HANG);
        }
    }
}
