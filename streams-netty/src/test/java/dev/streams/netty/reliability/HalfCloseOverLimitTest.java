package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static dev.streams.netty.reliability.Rel.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.internal.ByteBufStreamReader;
import dev.streams.netty.internal.Internals;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A peer sends far more than {@code 2 × limit} and half-closes while nobody reads, so the reader has turned autoRead
 * off: every byte is still readable afterwards, in order, then EOF. A second test pins the fix for what
 * {@link SlowReaderTest} found on epoll: the reader turned autoRead back on after EOF, when Netty 4.2.18's epoll
 * transport had already removed the socket from its epoll set (every interest flag cleared), and the read that asked
 * failed with {@code epoll_ctl} ENOENT.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(DirectMemoryCheck.class)
class HalfCloseOverLimitTest {

    private static final int LIMIT = 1024;
    private static final int TOTAL = 256 * 1024;

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void everythingSentBeforeTheHalfCloseIsReadable(Transport transport) throws Exception {
        byte[] data = new byte[TOTAL];
        new Random(3).nextBytes(data);
        try (ServerSocket listening = new ServerSocket()) {
            listening.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0), 1);
            CompletableFuture<StreamConnection> connecting = NettyStreams.openConnection(HOST,
                    listening.getLocalPort(), ConnectOptions.builder().limit(LIMIT)
                            .eventLoopGroup(TransportGroups.group(transport)).build());
            try (Socket peer = listening.accept(); StreamConnection client = within(connecting)) {
                // Wait until the reader holds more than 2 x limit: it has turned autoRead off.
                CompletableFuture<Void> held = Internals.whenReceived(client.writer(), 2L * LIMIT + 1);
                OutputStream out = peer.getOutputStream();
                out.write(data);
                peer.shutdownOutput();
                within(held);
                // Let the event loop finish the turn that read them (and the FIN, when it came with them).
                Internals.channel(client.writer()).eventLoop().submit(() -> { }).get(10, TimeUnit.SECONDS);
                int buffered = ((ByteBufStreamReader) client.reader()).buffered();
                assertThat(buffered).isGreaterThan(2 * LIMIT);

                byte[] all = await(client.reader().read(-1));
                assertThat(all).isEqualTo(data);
                assertThat(client.reader().atEof()).isTrue();
                figure("half-close-over-limit-" + transport.name().toLowerCase(), "limit %d: %d bytes held before"
                        + " the first read (autoRead off above %d), then read(-1) got all %d bytes and EOF", LIMIT,
                        buffered, 2 * LIMIT, TOTAL);
            }
        }
    }

    /**
     * The fix, deterministically: once EOF is in, reads never touch autoRead again (on epoll, turning it back on for a
     * socket whose input is shut down can fail, and the failure came out of the read).
     */
    @Test
    void afterEofReadsNeverTouchAutoRead() throws Exception {
        List<Boolean> requests = new ArrayList<>();
        ByteBufStreamReader reader = Internals.readerWithControl(LIMIT, requests::add);
        reader.feedData(new byte[3 * LIMIT]);
        assertThat(requests).as("above 2 x limit: stop reading").containsExactly(false);
        reader.feedEof();
        assertThat(await(reader.readExactly(2 * LIMIT))).hasSize(2 * LIMIT); // now at or below the limit
        assertThat(await(reader.read(-1))).hasSize(LIMIT);
        assertThat(await(reader.readLine())).isEmpty();
        assertThat(requests).as("no autoRead request after EOF").containsExactly(false);
        figure("read-control-after-eof", "autoRead requests after EOF: %d (before the fix: 1, which failed with"
                + " epoll_ctl ENOENT on epoll)", requests.size() - 1);
    }
}
