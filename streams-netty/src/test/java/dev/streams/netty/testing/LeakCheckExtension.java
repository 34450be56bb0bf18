package dev.streams.netty.testing;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reported a {@code LEAK:} while it ran.
 *
 * <p>Registered for every test class by JUnit's extension auto-detection (see the surefire configuration and
 * {@code META-INF/services}). The leak detector notices a leak only when a leaked buffer has been garbage collected
 * and another buffer is then allocated, so after each class this collects garbage and allocates a few buffers before
 * it looks. Test JVMs run with {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ByteBufUtil.setLeakListener((resourceType, records) -> LEAKS.add(resourceType + ": " + records));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        collect(); // leaks of an earlier class are that class's failure, not this one's
        LEAKS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        collect();
        List<String> found = new ArrayList<>(LEAKS);
        LEAKS.clear();
        if (!found.isEmpty()) {
            throw new AssertionError("Netty reported " + found.size() + " ByteBuf leak(s) (LEAK:) in "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", found));
        }
    }

    /** Collects garbage and allocates, so that the detector reports whatever was leaked so far. */
    public static void collect() {
        if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
            return;
        }
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            for (int i = 0; i < 8; i++) {
                PooledByteBufAllocator.DEFAULT.directBuffer(16).release();
                PooledByteBufAllocator.DEFAULT.heapBuffer(16).release();
                UnpooledByteBufAllocator.DEFAULT.directBuffer(16).release();
                UnpooledByteBufAllocator.DEFAULT.compositeBuffer().release();
            }
        }
    }

    /** Forgets what was reported (for the test that leaks on purpose). */
    static void forgetReported() {
        LEAKS.clear();
    }

    /** The leaks reported since the class started (for a test that checks the checker). */
    public static List<String> reportedSoFar() {
        return List.copyOf(LEAKS);
    }
}
