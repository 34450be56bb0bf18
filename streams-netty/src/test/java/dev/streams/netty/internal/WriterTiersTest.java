package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.StreamConnection;
import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreamReader;
import dev.streams.netty.NettyStreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.BlockingSchedulers;
import dev.streams.netty.testing.TransportGroups;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code NettyStreamWriter.write(ByteBuf)}: the buffer goes out as it is, in order with the copying writes around it,
 * from the event loop, from other threads and from a handler thread the loop carries; the writer releases it once
 * written, or at once when it refuses or drops it (the leak check fails the class otherwise). An echo over the
 * ByteBuf tier (readLineBuf, write(ByteBuf)) returns every line.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriterTiersTest {

    private static final String HOST = "127.0.0.1";

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    @Test
    void aBufferGoesOutAsItIsBetweenTheWritesAroundItAndIsReleasedWhenRefused() {
        EmbeddedChannel channel = new EmbeddedChannel();
        NettyStreamWriter writer = (NettyStreamWriter) NettyStreams.attach(channel).writer();
        ByteBuf middle = PooledByteBufAllocator.DEFAULT.directBuffer(8).writeBytes("b-".getBytes(US_ASCII));
        writer.write("a-".getBytes(US_ASCII));
        writer.write(middle); // the writer owns it from here
        writer.write("c".getBytes(US_ASCII));
        channel.runPendingTasks();

        StringBuilder out = new StringBuilder();
        boolean sawTheBufferItself = false;
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) msg;
            sawTheBufferItself |= buf == middle;
            out.append(buf.toString(US_ASCII));
            buf.release(); // what the socket would do once it is written
        }
        assertThat(out).hasToString("a-b-c");
        assertThat(sawTheBufferItself).as("no copy: the buffer itself reached the channel").isTrue();
        assertThat(middle.refCnt()).isZero();

        writer.close();
        ByteBuf late = Unpooled.copiedBuffer("late", US_ASCII);
        assertThatThrownBy(() -> writer.write(late)).isInstanceOf(IllegalStateException.class);
        assertThat(late.refCnt()).as("a refused buffer is released").isZero();
        channel.finishAndReleaseAll();
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void fromAnotherThreadABufferKeepsItsPlaceAmongTheCopiedWrites(Transport transport) throws Exception {
        StreamServer server = await(NettyStreams.startServer((reader, writer) -> reader.read(-1).thenAccept(all ->
                writer.write(all)), HOST, 0, serverOptions(transport)));
        try (StreamConnection conn = await(NettyStreams.openConnection(HOST, port(server), clientOptions(transport)))) {
            NettyStreamWriter writer = (NettyStreamWriter) conn.writer();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 2_000; i++) { // this test thread is not the event loop: the hand-off path
                String copied = "copied " + i + ";";
                String handed = "handed " + i + (i % 97 == 0 ? "x".repeat(5000) : "") + ";";
                writer.write(copied.getBytes(US_ASCII));
                writer.write(Unpooled.copiedBuffer(handed, US_ASCII)); // the writer owns it
                expected.append(copied).append(handed);
            }
            writer.writeEof();
            assertThat(new String(await(conn.reader().read(-1)), US_ASCII)).isEqualTo(expected.toString());
        } finally {
            stop(server);
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aLineEchoOverTheByteBufTierOnTheEventLoop(Transport transport) throws Exception {
        StreamServer server = await(NettyStreams.startServer(WriterTiersTest::echoBufs, HOST, 0,
                serverOptions(transport)));
        try {
            echoAndCheck(server, transport);
        } finally {
            stop(server);
        }
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.WITH_TRANSPORTS)
    void aLineEchoOverTheByteBufTierInABlockingHandler(Transport transport, BlockingScheduler scheduler)
            throws Exception {
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            NettyStreamReader in = (NettyStreamReader) reader;
            NettyStreamWriter out = (NettyStreamWriter) writer;
            ByteBuf line;
            while ((line = await(in.readLineBuf())).isReadable()) {
                out.write(line); // owned by the writer from here
                await(out.drain());
            }
            line.release(); // the empty buffer of EOF
        }, HOST, 0, serverOptions(transport).toBuilder().blockingScheduler(scheduler).build()));
        try {
            echoAndCheck(server, transport);
        } finally {
            stop(server);
        }
    }

    /** readLineBuf and write(ByteBuf) on the event loop, until EOF. */
    private static CompletionStage<Void> echoBufs(StreamReader reader, StreamWriter writer) {
        return loop((NettyStreamReader) reader, (NettyStreamWriter) writer);
    }

    private static CompletableFuture<Void> loop(NettyStreamReader in, NettyStreamWriter out) {
        return in.readLineBuf().thenCompose(line -> {
            if (!line.isReadable()) {
                line.release();
                return CompletableFuture.completedFuture(null);
            }
            out.write(line); // owned by the writer from here
            return out.drain().thenCompose(ignored -> loop(in, out));
        });
    }

    private static void echoAndCheck(StreamServer server, Transport transport) throws Exception {
        try (StreamConnection conn = await(NettyStreams.openConnection(HOST, port(server), clientOptions(transport)))) {
            List<String> sent = new ArrayList<>();
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 3_000; i++) {
                String line = "line " + i + " " + "y".repeat(i % 300) + "\n";
                sent.add(line);
                all.append(line);
            }
            conn.writer().write(all.toString().getBytes(US_ASCII));
            conn.writer().writeEof();
            List<String> got = new ArrayList<>();
            byte[] line;
            while ((line = await(conn.reader().readLine())).length > 0) {
                got.add(new String(line, US_ASCII));
            }
            assertThat(got).isEqualTo(sent);
        }
    }

    private static ServerOptions serverOptions(Transport transport) {
        return ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build();
    }

    private static ConnectOptions clientOptions(Transport transport) {
        return ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build();
    }

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    private static void stop(StreamServer server) throws Exception {
        server.close();
        await(server.waitClosed());
    }
}
