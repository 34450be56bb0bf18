package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.Endpoint;
import dev.streams.netty.NettyStreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.BlockingSchedulers;
import dev.streams.netty.testing.TransportGroups;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.FileRegion;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.X509Bundle;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code NettyStreamWriter.sendFile} over real sockets: a 256 MiB file (seeded random bytes, made once for the class)
 * reaches a JDK socket whole (SHA-256 compared), plain and under TLS with both providers, on every transport; it keeps
 * its place among the writes made from the event loop, from another thread and from a blocking handler on every
 * scheduler; the way it takes follows the pipeline (a region on a plain socket, chunks through TLS, the wiretap, an
 * application's handler, STARTTLS); drain() counts its unsent bytes and is released as they go; Unix domain sockets;
 * a peer that resets half-way fails the future, leaks nothing, and leaves the file open.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SendFileTest {

    private static final String HOST = "127.0.0.1";
    private static final int SIZE = 256 << 20;
    private static final byte[] HEAD = "head: the bytes written before the file\n".getBytes(US_ASCII);
    private static final byte[] TAIL = "\ntail: the bytes written after it\n".getBytes(US_ASCII);

    @TempDir
    static Path dir;
    private static FileChannel file;
    private static byte[] fileSha;
    private static X509Bundle root;
    private static X509Bundle serverCert;

    /** The pipeline between the stream handler and the socket. */
    enum Wire { PLAIN, WIRETAP, TLS_JDK, TLS_OPENSSL }

    @BeforeAll
    static void makeTheFile() throws Exception {
        Path path = dir.resolve("256MiB.bin");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Random random = new Random(20261130);
        byte[] block = new byte[1 << 20];
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < SIZE / block.length; i++) {
                random.nextBytes(block);
                sha.update(block);
                ByteBuffer buf = ByteBuffer.wrap(block);
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
            }
        }
        fileSha = sha.digest();
        file = FileChannel.open(path, StandardOpenOption.READ); // positional reads: shared by every test
        root = TestCertificates.root("streams test root");
        serverCert = TestCertificates.localhost(root);
    }

    @AfterAll
    static void closeTheFile() throws IOException {
        file.close();
        TransportGroups.shutdown();
    }

    // ------------------------------------------------------------------------------------------ the whole file

    static Stream<Arguments> transportsAndTls() {
        return TransportGroups.transports().flatMap(t -> Stream.of(Wire.PLAIN, Wire.TLS_JDK, Wire.TLS_OPENSSL)
                .map(w -> Arguments.of(t, w)));
    }

    @ParameterizedTest
    @MethodSource("transportsAndTls")
    void aWholeFileReachesAJdkSocketAsItIs(Transport transport, Wire wire) throws Exception {
        CompletableFuture<Long> sent = new CompletableFuture<>();
        StreamServer server = await(NettyStreams.startServer((reader, writer) -> {
            NettyStreamWriter out = (NettyStreamWriter) writer;
            out.write(HEAD);
            CompletableFuture<Long> done = out.sendFile(file, 0, SIZE);
            out.write(TAIL);
            return done.whenComplete((n, e) -> complete(sent, n, e));
        }, HOST, 0, serverOptions(transport, wire)));
        try (Socket peer = connect(port(server), wire)) {
            InputStream in = peer.getInputStream();
            assertThat(readExactly(in, HEAD.length)).isEqualTo(HEAD);
            assertThat(sha256(in, SIZE)).as("SHA-256 of the file's bytes").isEqualTo(fileSha);
            assertThat(in.readAllBytes()).isEqualTo(TAIL);
            assertThat(sent.get(30, TimeUnit.SECONDS)).isEqualTo(SIZE);
        } finally {
            stop(server);
        }
    }

    // ------------------------------------------------------------------------------------------ ordering

    /** Who makes the writes and sendFile calls of {@link #script}. */
    enum Caller { EVENT_LOOP, OTHER_THREAD, BLOCKING_EVENT_LOOP, BLOCKING_VIRTUAL, BLOCKING_POOL }

    static Stream<Arguments> orderings() {
        return TransportGroups.transports().flatMap(t -> Stream.of(Wire.PLAIN, Wire.WIRETAP, Wire.TLS_JDK)
                .flatMap(w -> Stream.of(Caller.values()).map(c -> Arguments.of(t, w, c))));
    }

    @ParameterizedTest
    @MethodSource("orderings")
    void filesKeepTheirPlaceAmongTheWrites(Transport transport, Wire wire, Caller caller) throws Exception {
        CompletableFuture<List<Long>> sent = new CompletableFuture<>();
        ServerOptions options = serverOptions(transport, wire);
        StreamServer server;
        switch (caller) {
            case EVENT_LOOP:
                server = await(NettyStreams.startServer((reader, writer) -> all(script((NettyStreamWriter) writer))
                        .whenComplete((n, e) -> complete(sent, n, e)), HOST, 0, options));
                break;
            case OTHER_THREAD:
                server = await(NettyStreams.startServer((reader, writer) -> CompletableFuture
                        .supplyAsync(() -> script((NettyStreamWriter) writer), command -> new Thread(command).start())
                        .thenCompose(SendFileTest::all).whenComplete((n, e) -> complete(sent, n, e)),
                        HOST, 0, options));
                break;
            default:
                BlockingScheduler scheduler = BlockingScheduler.valueOf(caller.name().substring("BLOCKING_".length()));
                Assumptions.assumeTrue(BlockingSchedulers.isAvailable(scheduler), scheduler + " is not available");
                server = await(NettyStreams.startBlockingServer((reader, writer) -> {
                    List<CompletableFuture<Long>> files = script((NettyStreamWriter) writer);
                    try {
                        sent.complete(await(all(files)));
                    } catch (Exception e) {
                        sent.completeExceptionally(e);
                    }
                }, HOST, 0, options.toBuilder().blockingScheduler(scheduler).build()));
        }
        try (Socket peer = connect(port(server), wire)) {
            byte[] got = peer.getInputStream().readAllBytes();
            assertThat(sent.get(30, TimeUnit.SECONDS)).isEqualTo(Arrays.stream(SLICES).map(s -> s[1]).toList());
            byte[] expected = expectedScript();
            assertThat(got.length).isEqualTo(expected.length);
            assertThat(Arrays.mismatch(got, expected)).as("first byte out of place").isEqualTo(-1);
        } finally {
            stop(server);
        }
    }

    /** (position, count) of the files the script sends: an odd start, a run of chunks, the file's very end. */
    private static final Long[][] SLICES = {{12_345L, (long) (1 << 20) + 17}, {0L, 3L << 20}, {SIZE - 100_000L, 100_000L}};

    /**
     * Writes and files, interleaved: a short write, a file, a write large enough for a buffer of its own, a
     * ByteBuf, another file straight after, writeLines, the last file, a short write.
     */
    private static List<CompletableFuture<Long>> script(NettyStreamWriter out) {
        List<CompletableFuture<Long>> files = new ArrayList<>();
        out.write(HEAD);
        files.add(out.sendFile(file, SLICES[0][0], SLICES[0][1]));
        out.write(big());
        out.write(io.netty.buffer.Unpooled.copiedBuffer("owned", US_ASCII)); // the writer owns it
        files.add(out.sendFile(file, SLICES[1][0], SLICES[1][1]));
        out.writeLines(List.of("line one\n".getBytes(US_ASCII), "line two\n".getBytes(US_ASCII)));
        files.add(out.sendFile(file, SLICES[2][0], SLICES[2][1]));
        out.write(TAIL);
        return files;
    }

    private static byte[] expectedScript() throws IOException {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(HEAD);
        expected.write(slice(SLICES[0][0], SLICES[0][1]));
        expected.write(big());
        expected.write("owned".getBytes(US_ASCII));
        expected.write(slice(SLICES[1][0], SLICES[1][1]));
        expected.write("line one\nline two\n".getBytes(US_ASCII));
        expected.write(slice(SLICES[2][0], SLICES[2][1]));
        expected.write(TAIL);
        return expected.toByteArray();
    }

    private static byte[] big() {
        byte[] big = new byte[100_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        return big;
    }

    private static CompletableFuture<List<Long>> all(List<CompletableFuture<Long>> files) {
        return CompletableFuture.allOf(files.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> files.stream().map(CompletableFuture::join).toList());
    }

    // ------------------------------------------------------------------------------------------ the way

    /** Where the connection's pipeline comes from in {@link #theWayFollowsThePipeline}. */
    enum Pipeline { PLAIN, WIRETAP, TLS, STARTTLS, APPLICATION_HANDLER }

    static Stream<Arguments> pipelines() {
        return Stream.of(Transport.EPOLL, Transport.NIO).flatMap(t -> Stream.of(Pipeline.values())
                .map(p -> Arguments.of(t, p)));
    }

    /**
     * To a peer that does not read: a plain socket gets one region (no copy); TLS, the wiretap, STARTTLS and an
     * application's outbound handler get buffers (chunks). Either way drain() waits while the file is unsent, and
     * completes, with the file's future, once the peer read it all.
     */
    @ParameterizedTest
    @MethodSource("pipelines")
    void theWayFollowsThePipelineAndDrainWaitsForTheFile(Transport transport, Pipeline pipeline) throws Exception {
        int count = 64 << 20;
        boolean tls = pipeline == Pipeline.TLS || pipeline == Pipeline.STARTTLS;
        try (ServerSocket listener = tls ? sslContext().getServerSocketFactory().createServerSocket(0, 1,
                java.net.InetAddress.getByName(HOST)) : new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            if (tls) {
                ((SSLServerSocket) listener).setUseClientMode(pipeline == Pipeline.STARTTLS);
            }
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    Socket socket = listener.accept();
                    if (socket instanceof SSLSocket) {
                        ((SSLSocket) socket).startHandshake(); // then it reads nothing until told
                    }
                    return socket;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            StreamConnection conn = connectTo(transport, pipeline, listener.getLocalPort());
            try (Socket peer = accepted.get(30, TimeUnit.SECONDS)) {
                NettyStreamWriter writer = (NettyStreamWriter) conn.writer();
                CompletableFuture<Long> sent = writer.sendFile(file, 0, count);
                Object current = awaitCurrentMessage(writer.channel());
                if (pipeline == Pipeline.PLAIN) {
                    assertThat(current).as("a region: no copy").isInstanceOf(FileRegion.class);
                } else {
                    assertThat(current).as("chunks through the pipeline").isInstanceOf(ByteBuf.class);
                }
                // The peer reads nothing: far more than the high water mark is unsent, whatever the socket buffers.
                CompletableFuture<Void> drained = writer.drain();
                assertThat(drained).isNotDone();
                assertThat(sent).isNotDone();
                assertThat(sha256(peer.getInputStream(), count)).isEqualTo(sha256(0, count));
                assertThat(sent.get(30, TimeUnit.SECONDS)).isEqualTo(count);
                drained.get(30, TimeUnit.SECONDS);
            } finally {
                conn.close();
            }
        }
    }

    private static StreamConnection connectTo(Transport transport, Pipeline pipeline, int port) throws Exception {
        ConnectOptions.Builder options = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport));
        switch (pipeline) {
            case WIRETAP:
                options.wiretap(true);
                break;
            case TLS:
                options.sslContext(clientContext());
                break;
            case APPLICATION_HANDLER:
                Channel channel = new Bootstrap().group(TransportGroups.group(transport))
                        .channel(transport.socketChannel()).handler(new ChannelInitializer<>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(new ChannelOutboundHandlerAdapter()); // passes messages on
                            }
                        }).connect(HOST, port).sync().channel();
                return NettyStreams.attach(channel);
            default:
                break;
        }
        StreamConnection conn = await(NettyStreams.openConnection(HOST, port, options.build()));
        if (pipeline == Pipeline.STARTTLS) {
            // This side is the TLS server of the upgrade; the peer (its socket in client mode) the client.
            await(((NettyStreamWriter) conn.writer()).startTls(serverContext(SslProvider.JDK), null));
        }
        return conn;
    }

    /** The first message of the channel's outbound buffer, once there is one (on the event loop). */
    private static Object awaitCurrentMessage(Channel channel) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Object current = channel.eventLoop().submit(() -> {
                ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
                return out == null ? null : out.current();
            }).get(10, TimeUnit.SECONDS);
            if (current != null || System.nanoTime() > deadline) {
                return current;
            }
            Thread.sleep(1); // polling a condition: the message is there as soon as the send started
        }
    }

    // ------------------------------------------------------------------------------------------ drain

    static Stream<Arguments> transportsPlainAndTls() {
        return Stream.of(Transport.EPOLL, Transport.NIO).flatMap(t -> Stream.of(Wire.PLAIN, Wire.TLS_JDK)
                .map(w -> Arguments.of(t, w)));
    }

    /**
     * High water mark 4 MiB, small socket buffers: the peer reads all but the last MiB of a 32 MiB file and waits.
     * Less than the high water mark is unsent then, so drain() completes while the file's future cannot (its last
     * bytes are not in the socket); once the peer reads on, the future completes.
     */
    @ParameterizedTest
    @MethodSource("transportsPlainAndTls")
    void drainIsReleasedAsTheFileGoesOut(Transport transport, Wire wire) throws Exception {
        int count = 32 << 20;
        int tail = 1 << 20;
        boolean tls = wire != Wire.PLAIN;
        try (ServerSocket listener = tls ? sslContext().getServerSocketFactory().createServerSocket()
                : new ServerSocket()) {
            listener.setReceiveBufferSize(64 * 1024); // inherited by the accepted socket
            listener.bind(new InetSocketAddress(HOST, 0), 1);
            CountDownLatch readOn = new CountDownLatch(1);
            CompletableFuture<byte[]> peerSha = CompletableFuture.supplyAsync(() -> {
                try (Socket peer = listener.accept()) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    InputStream in = peer.getInputStream();
                    digest(in, sha, count - tail);
                    readOn.await();
                    digest(in, sha, tail);
                    return sha.digest();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            ConnectOptions.Builder options = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport))
                    .waterMarks(2 << 20, 4 << 20).option(ChannelOption.SO_SNDBUF, 64 * 1024);
            if (tls) {
                options.sslContext(clientContext());
            }
            try (StreamConnection conn = await(NettyStreams.openConnection(HOST, listener.getLocalPort(),
                    options.build()))) {
                NettyStreamWriter writer = (NettyStreamWriter) conn.writer();
                CompletableFuture<Long> sent = writer.sendFile(file, 0, count);
                writer.drain().get(30, TimeUnit.SECONDS); // completes while the last MiB is still to go
                assertThat(sent).as("the peer holds the last MiB back").isNotDone();
                readOn.countDown();
                assertThat(sent.get(30, TimeUnit.SECONDS)).isEqualTo(count);
                assertThat(peerSha.get(30, TimeUnit.SECONDS)).isEqualTo(sha256(0, count));
            } finally {
                readOn.countDown();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ Unix sockets

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aFileReachesAUnixDomainSocket(Transport transport) throws Exception {
        long position = 7;
        long count = 64L << 20;
        Path socketPath = dir.resolve("sendfile-" + transport + ".sock");
        StreamServer server = await(NettyStreams.startServer((reader, writer) -> {
            NettyStreamWriter out = (NettyStreamWriter) writer;
            out.write(HEAD);
            CompletableFuture<Long> done = out.sendFile(file, position, count);
            out.write(TAIL);
            return done;
        }, Endpoint.unix(socketPath), ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport))
                .build()));
        try (SocketChannel peer = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            peer.connect(UnixDomainSocketAddress.of(socketPath));
            InputStream in = Channels.newInputStream(peer);
            assertThat(readExactly(in, HEAD.length)).isEqualTo(HEAD);
            assertThat(sha256(in, count)).isEqualTo(sha256(position, count));
            assertThat(in.readAllBytes()).isEqualTo(TAIL);
        } finally {
            stop(server);
        }
    }

    // ------------------------------------------------------------------------------------------ reset

    /**
     * The peer reads 8 MiB of a 64 MiB file and resets: the future fails with the connection's cause (what drain()
     * reports, and what a later sendFile fails with at once), every chunk and the write held behind the file are
     * released (the leak check), and the file, which is the caller's, stays open.
     */
    @ParameterizedTest
    @MethodSource("transportsPlainAndTls")
    void aPeerThatResetsHalfWayFailsTheFileAndLeavesItOpen(Transport transport, Wire wire) throws Exception {
        boolean tls = wire != Wire.PLAIN;
        try (FileChannel own = FileChannel.open(dir.resolve("256MiB.bin"), StandardOpenOption.READ);
             ServerSocket listener = tls ? sslContext().getServerSocketFactory().createServerSocket(0, 1,
                     java.net.InetAddress.getByName(HOST)) : new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            CompletableFuture<Void> reset = CompletableFuture.runAsync(() -> {
                try (Socket peer = listener.accept()) {
                    readExactly(peer.getInputStream(), 8 << 20);
                    peer.setSoLinger(true, 0); // close sends RST
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            ConnectOptions.Builder options = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport));
            if (tls) {
                options.sslContext(clientContext());
            }
            try (StreamConnection conn = await(NettyStreams.openConnection(HOST, listener.getLocalPort(),
                    options.build()))) {
                NettyStreamWriter writer = (NettyStreamWriter) conn.writer();
                CompletableFuture<Long> sent = writer.sendFile(own, 0, 64 << 20);
                writer.write(TAIL); // under TLS held behind the file: released when the connection ends
                reset.get(30, TimeUnit.SECONDS);
                Throwable failure = cause(sent);
                System.out.println("FIGURE sendFile after a reset, " + transport + " " + wire + ": " + failure
                        + (failure.getCause() != null ? ", cause " + failure.getCause() : ""));
                assertThat(failure).isInstanceOf(IOException.class);
                Throwable lost = cause(writer.drain());
                assertThat(failure).isSameAs(lost);
                assertThat(cause(writer.sendFile(own, 0, 10))).isSameAs(lost);
                assertThat(own.isOpen()).as("the caller's file stays open").isTrue();
            }
        }
    }

    private static Throwable cause(CompletableFuture<?> future) throws Exception {
        try {
            future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected " + future + " to fail");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static <T> void complete(CompletableFuture<T> future, T value, Throwable error) {
        if (error != null) {
            future.completeExceptionally(error);
        } else {
            future.complete(value);
        }
    }

    private static ServerOptions serverOptions(Transport transport, Wire wire) throws Exception {
        ServerOptions.Builder options = ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport));
        switch (wire) {
            case WIRETAP:
                return options.wiretap(true).build();
            case TLS_JDK:
                return options.sslContext(serverContext(SslProvider.JDK)).build();
            case TLS_OPENSSL:
                return options.sslContext(serverContext(SslProvider.OPENSSL)).build();
            default:
                return options.build();
        }
    }

    private static SslContext serverContext(SslProvider provider) throws Exception {
        if (provider == SslProvider.OPENSSL) {
            Assumptions.assumeTrue(OpenSsl.isAvailable(), () -> "OpenSSL not available: " + OpenSsl.unavailabilityCause());
        }
        return SslContextBuilder.forServer(serverCert.getKeyPair().getPrivate(), serverCert.getCertificatePath())
                .sslProvider(provider).build();
    }

    private static SslContext clientContext() throws Exception {
        return SslContextBuilder.forClient().trustManager(root.getCertificate()).build();
    }

    /** The JDK's own TLS for the raw peers: trusts the test root, presents the server certificate. */
    private static SSLContext sslContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(serverCert.toKeyManagerFactory().getKeyManagers(), root.toTrustManagerFactory().getTrustManagers(),
                null);
        return context;
    }

    private static Socket connect(int port, Wire wire) throws Exception {
        if (wire == Wire.TLS_JDK || wire == Wire.TLS_OPENSSL) {
            SSLSocket socket = (SSLSocket) sslContext().getSocketFactory().createSocket(HOST, port);
            socket.startHandshake();
            return socket;
        }
        return new Socket(HOST, port);
    }

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    private static void stop(StreamServer server) throws Exception {
        server.close();
        await(server.waitClosed());
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = new byte[n];
        new DataInputStream(in).readFully(bytes);
        return bytes;
    }

    private static byte[] sha256(InputStream in, long count) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        digest(in, sha, count);
        return sha.digest();
    }

    private static void digest(InputStream in, MessageDigest sha, long count) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = count;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new java.io.EOFException(left + " bytes missing");
            }
            sha.update(buf, 0, n);
            left -= n;
        }
    }

    /** SHA-256 of a range of the file, read from it (positional reads: the shared file's position stays). */
    private static byte[] sha256(long position, long count) throws Exception {
        if (position == 0 && count == SIZE) {
            return fileSha;
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        for (long at = position; at < position + count; ) {
            buf.clear().limit((int) Math.min(buf.capacity(), position + count - at));
            int n = file.read(buf, at);
            if (n < 0) {
                throw new java.io.EOFException();
            }
            sha.update(buf.flip());
            at += n;
        }
        return sha.digest();
    }

    private static byte[] slice(long position, long count) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate((int) count);
        while (bytes.hasRemaining()) {
            if (file.read(bytes, position + bytes.position()) < 0) {
                throw new java.io.EOFException();
            }
        }
        return bytes.array();
    }
}
