package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static dev.streams.netty.reliability.Rel.HOST;
import static dev.streams.netty.reliability.Rel.figure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.internal.Transport;
import dev.streams.netty.testing.TransportGroups;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A connect to a black hole fails after {@code ConnectOptions.connectTimeout} with {@link ConnectTimeoutException}.
 * The black hole is made on loopback: a listening socket with backlog 1 that never accepts, filled with connections
 * first (on Linux a full accept queue drops SYNs). When the kernel answers anyway, the test is skipped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(DirectMemoryCheck.class)
class ConnectTimeoutTest {

    private static final Duration TIMEOUT = Duration.ofMillis(300);

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aConnectToABlackHoleTimesOut(Transport transport) throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket hole = new ServerSocket()) {
            hole.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0), 1);
            boolean blackHoled = false;
            for (int i = 0; i < 16 && !blackHoled; i++) { // the queue holds backlog + 1; bounded
                Socket filler = new Socket();
                fillers.add(filler);
                try {
                    filler.connect(hole.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException dropped) {
                    blackHoled = true;
                }
            }
            Assumptions.assumeTrue(blackHoled, "the kernel did not drop SYNs to a full accept queue: skipped");

            ConnectOptions options = ConnectOptions.builder().connectTimeout(TIMEOUT)
                    .eventLoopGroup(TransportGroups.group(transport)).build();
            long start = System.nanoTime();
            assertThatThrownBy(() -> await(NettyStreams.openConnection(HOST, hole.getLocalPort(), options),
                    Duration.ofSeconds(Rel.HANG_SECONDS)))
                    .isInstanceOf(ConnectTimeoutException.class);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(tookMillis).as("not before the timeout").isGreaterThanOrEqualTo(TIMEOUT.toMillis() - 5);
            figure("connect-timeout-" + transport.name().toLowerCase(), "black hole after %d filler connections:"
                    + " ConnectTimeoutException after %d ms (connectTimeout %d ms)", fillers.size() - 1, tookMillis,
                    TIMEOUT.toMillis());
        } finally {
            for (Socket filler : fillers) {
                try {
                    filler.close();
                } catch (IOException ignored) {
                    // closing a half-open filler
                }
            }
        }
    }
}
