package dev.streams.netty.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The instrument of {@link DirectMemoryCheck} sees a live direct buffer, and sees it go. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DirectMemoryCheckTest {

    @Test
    void aLiveDirectBufferIsCountedUntilReleased() {
        Assumptions.assumeTrue(ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID,
                "the suite runs the leak detector at paranoid");
        long[] before = DirectMemoryCheck.liveDirect();
        ByteBuf buffer = ByteBufAllocator.DEFAULT.ioBuffer(12_345, 12_345);
        long[] during;
        try {
            during = DirectMemoryCheck.liveDirect();
        } finally {
            buffer.release();
        }
        long[] after = DirectMemoryCheck.liveDirect();
        assertThat(during[0]).isEqualTo(before[0] + 1);
        assertThat(during[1]).isEqualTo(before[1] + 12_345);
        assertThat(after).isEqualTo(before);
        Rel.figure("memory-instrument", "a live 12345-byte direct buffer counted (%d -> %d bytes), then gone (%d)",
                before[1], during[1], after[1]);
    }
}
