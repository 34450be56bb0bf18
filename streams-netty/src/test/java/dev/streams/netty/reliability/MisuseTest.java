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
import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.internal.ByteBufStreamReader;
import dev.streams.netty.internal.Internals;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Misuse gets the documented exception and harms no other connection: {@code write} after {@code close},
 * {@code writeEof} twice, {@code feedData} after EOF, {@code await} on an event-loop thread, a second waiting read,
 * negative sizes and other bad arguments. After each, a second connection still echoes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(DirectMemoryCheck.class)
class MisuseTest {

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    static CompletionStage<Void> echo(StreamReader reader, StreamWriter writer) {
        return reader.readLine().thenCompose(line -> {
            if (line.length == 0) {
                return CompletableFuture.completedFuture(null);
            }
            writer.write(line);
            return writer.drain().thenCompose(ignored -> echo(reader, writer));
        });
    }

    private final AtomicInteger checked = new AtomicInteger();

    /** The witness connection still echoes. */
    private void stillEchoes(StreamConnection witness) throws Exception {
        String text = "witness " + checked.incrementAndGet() + "\n";
        witness.writer().write(text.getBytes(US_ASCII));
        assertThat(new String(within(witness.reader().readLine()), US_ASCII)).isEqualTo(text);
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void misuseIsRefusedAndHarmsNoOtherConnection(Transport transport) throws Exception {
        StreamServer server = await(NettyStreams.startServer(MisuseTest::echo, HOST, 0,
                ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build()));
        ConnectOptions options = ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).build();
        try (StreamConnection witness = await(NettyStreams.openConnection(HOST, port(server), options))) {
            stillEchoes(witness);

            // write after close
            StreamConnection closed = await(NettyStreams.openConnection(HOST, port(server), options));
            closed.writer().close();
            assertThatThrownBy(() -> closed.writer().write(new byte[1])).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("write after close()");
            assertThatThrownBy(() -> closed.writer().writeLines(java.util.List.of(new byte[1])))
                    .isInstanceOf(IllegalStateException.class);
            within(closed.writer().waitClosed());
            stillEchoes(witness);

            // a connection's reader cannot be fed by user code (only newReader's can); feedData after EOF, on the
            // (internal) reader of a connection that ended, and on a standalone reader
            assertThat(closed.reader()).isNotInstanceOf(FeedableStreamReader.class);
            ByteBufStreamReader ended = (ByteBufStreamReader) closed.reader();
            ByteBuf late = Unpooled.buffer(4).writeInt(42);
            assertThatThrownBy(() -> ended.feedData(late)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("feedData after feedEof");
            assertThat(late.refCnt()).as("a refused buffer is released").isZero();
            FeedableStreamReader standalone = NettyStreams.newReader(16);
            standalone.feedEof();
            assertThatThrownBy(() -> standalone.feedData(new byte[0])).isInstanceOf(IllegalStateException.class);
            stillEchoes(witness);

            // writeEof twice, and write after writeEof; reading goes on
            try (StreamConnection halfClosed = await(NettyStreams.openConnection(HOST, port(server), options))) {
                halfClosed.writer().write("last\n".getBytes(US_ASCII));
                halfClosed.writer().writeEof();
                assertThatThrownBy(() -> halfClosed.writer().writeEof()).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("twice");
                assertThatThrownBy(() -> halfClosed.writer().write(new byte[1]))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("writeEof");
                assertThat(new String(within(halfClosed.reader().read(-1)), US_ASCII)).isEqualTo("last\n");
            }
            stillEchoes(witness);

            // await on an event-loop thread
            CompletableFuture<Throwable> onLoop = new CompletableFuture<>();
            Internals.channel(witness.writer()).eventLoop().execute(() -> {
                try {
                    await(new CompletableFuture<Void>());
                    onLoop.complete(null);
                } catch (Throwable t) {
                    onLoop.complete(t);
                }
            });
            assertThat(within(onLoop)).isInstanceOf(IllegalStateException.class).hasMessageContaining("event-loop");
            stillEchoes(witness);

            // a second waiting read
            try (StreamConnection busy = await(NettyStreams.openConnection(HOST, port(server), options))) {
                CompletableFuture<byte[]> first = busy.reader().readLine();
                CompletableFuture<byte[]> second = busy.reader().readExactly(3);
                assertThat(second).isCompletedExceptionally();
                assertThatThrownBy(second::join).cause().isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("already waiting");
                assertThat(first).as("the first read still waits").isNotDone();
                busy.writer().write("first\n".getBytes(US_ASCII));
                assertThat(new String(within(first), US_ASCII)).isEqualTo("first\n");
            }
            stillEchoes(witness);

            // negative sizes and other bad arguments: thrown at once, nothing changed
            StreamReader reader = witness.reader();
            assertThatThrownBy(() -> reader.readExactly(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("readExactly size < 0: -1");
            assertThatThrownBy(() -> reader.readUntil()).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> reader.readUntil(new byte[0])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> reader.readUntil((byte[]) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> witness.writer().write(new byte[4], -1, 2))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> witness.writer().write(new byte[4], 0, -1))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> witness.writer().write((byte[]) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> NettyStreams.newReader(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("limit <= 0: -1");
            assertThatThrownBy(() -> ServerOptions.builder().limit(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("limit <= 0: 0");
            assertThatThrownBy(() -> ServerOptions.builder().waterMarks(-1, 10))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ServerOptions.builder().backlog(-5)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("backlog <= 0: -5");
            assertThatThrownBy(() -> ConnectOptions.builder().connectTimeout(Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> NettyStreams.openConnection(HOST, -1, options))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("port not in 0-65535: -1");
            CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
            assertThatThrownBy(() -> await(done, Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
            stillEchoes(witness);
            figure("misuse-" + transport.name().toLowerCase(), "write/writeLines after close, feedData after EOF"
                    + " (x2), writeEof twice, write after writeEof, await on an event loop, a second waiting read and"
                    + " 14 bad arguments refused with the documented exception; the witness connection echoed after"
                    + " each group (%d echoes)", checked.get());
        } finally {
            server.close();
            within(server.waitClosed());
        }
    }
}
