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
 * Each in-process server kind answers the load client for a fraction of a second with correct echoes (the client
 * checks every byte). No timing is asserted: this only shows the harness and the handlers work.
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
    @ValueSource(strings = {"netty-raw", "netty-line", "netty-line-bytes", "streams-async", "streams-blocking",
        "streams-blocking-vt", "streams-blocking-pool", "jdk-vt"})
    void echoesPipelinedLines(String kind) throws Exception {
        assumeTrue(!kind.equals("streams-blocking-vt") || Runtime.version().feature() >= 21,
                "the JDK's virtual-thread scheduler needs Java 21+");
        AtomicInteger port = new AtomicInteger();
        AutoCloseable server = EchoServer.start(kind, 1, 0,
                line -> port.set(Integer.parseInt(line.substring("PORT ".length()))));
        try {
            LoadClient.Result result = LoadClient.run(clientGroup, kind, port.get(), 4, 100, 8, 0.1, 0.2, true);
            assertThat(result.errors).isZero();
            assertThat(result.completed).isPositive();
            LoadClient.Result large = LoadClient.run(clientGroup, kind, port.get(), 2, 20_000, 1, 0.05, 0.1, true);
            assertThat(large.errors).isZero();
            assertThat(large.completed).isPositive();
        } finally {
            server.close();
        }
    }
}
