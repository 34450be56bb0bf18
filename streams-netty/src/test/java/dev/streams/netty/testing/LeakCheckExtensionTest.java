package dev.streams.netty.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The leak check must be able to fail: a buffer dropped without release is reported. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeakCheckExtensionTest {

    @Test
    void aDroppedBufferIsReported() {
        // Keep the deliberate leak out of the logs (a LEAK: line in a report means a real leak); the detector still
        // reports it to the listener, since its level stays enabled.
        Logger detectorLog = Logger.getLogger(ResourceLeakDetector.class.getName());
        detectorLog.setFilter(record -> false);
        try {
            leakOne();
            for (int i = 0; i < 20 && LeakCheckExtension.reportedSoFar().isEmpty(); i++) {
                LeakCheckExtension.collect();
            }
            assertThat(LeakCheckExtension.reportedSoFar()).isNotEmpty();
        } finally {
            detectorLog.setFilter(null);
            // This class leaked on purpose: forget it so that the extension does not fail the class.
            LeakCheckExtension.forgetReported();
        }
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        leaked.writeInt(42);
    }
}
