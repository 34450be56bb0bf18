package dev.streams.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each in-process server kind answers the load client with correct echoes (the client checks every byte): a fixed
 * number of echoes per connection, counted, with no time window (a window of a fraction of a second saw no echo at
 * all on a busy machine). No timing is asserted: this only shows the harness and the handlers work.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HarnessSmokeTest {

    private static EventLoopGroup clientGroup;

    @BeforeAll
    static void startClient() {
        clientGroup = EchoServer.newGroup(1, "smoke-client");
    }

    @AfterAll
    static void stopClient() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ParameterizedTest
    @ValueSource(strings = {"netty-raw", "netty-line", "netty-line-bytes", "streams-async", "streams-buf",
        "streams-bytes", "streams-blocking",
        "streams-blocking-vt", "streams-blocking-pool", "jdk-vt"})
    void echoesPipelinedLines(String kind) throws Exception {
        assumeTrue(!kind.equals("streams-blocking-vt") || Runtime.version().feature() >= 21,
                "the JDK's virtual-thread scheduler needs Java 21+");
        AtomicInteger port = new AtomicInteger();
        AutoCloseable server = EchoServer.start(kind, 1, 0,
                line -> port.set(Integer.parseInt(line.substring("PORT ".length()))));
        try {
            LoadClient.Result result = LoadClient.runEchoes(clientGroup, kind, port.get(), 4, 100, 8, 200, 25);
            assertThat(result.errors).isZero();
            assertThat(result.completed).isEqualTo(4 * 200);
            LoadClient.Result large = LoadClient.runEchoes(clientGroup, kind, port.get(), 2, 20_000, 1, 20, 25);
            assertThat(large.errors).isZero();
            assertThat(large.completed).isEqualTo(2 * 20);
        } finally {
            server.close();
        }
    }
}
