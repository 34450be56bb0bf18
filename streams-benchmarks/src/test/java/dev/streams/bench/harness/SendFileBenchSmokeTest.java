package dev.streams.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each contender of {@link SendFileBench} delivers the whole file to the sink (it counts every byte; a trial that
 * delivers less never ends and fails on its timeout). A small file, one trial each; no timing is asserted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SendFileBenchSmokeTest {

    @TempDir
    static Path dir;
    private static SendFileBench bench;

    @BeforeAll
    static void makeTheFile() throws Exception {
        bench = new SendFileBench(4 << 20, dir.resolve("file.bin"));
        bench.makeFile();
    }

    @AfterAll
    static void stop() {
        bench.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"netty-region", "streams-sendFile", "streams-copy", "netty-tls-chunked",
        "streams-tls-sendFile"})
    void deliversTheWholeFile(String kind) throws Exception {
        assertThat(bench.trial(kind)).isPositive();
    }
}
