package dev.streams.netty.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Direct memory in use goes back to its starting level after an end-to-end class (checked once the class's
 * {@code @AfterAll} has closed its servers and shut its event loops down).
 *
 * <p><b>What is measured.</b> The channels allocate from {@link ByteBufAllocator#DEFAULT}: Netty 4.2's
 * {@code AdaptiveByteBufAllocator} (unless {@code io.netty.allocator.type} says otherwise). Its metric,
 * {@code usedDirectMemory()}, counts the chunks it has reserved, and it keeps released chunks for reuse: after a class
 * that moved megabytes the level stays up with every buffer released, and reusing it from another thread may need
 * other size classes. So that figure is only reported. What is asserted is the memory of <em>live</em> buffers: the
 * test JVMs run the leak detector at {@code paranoid}, which tracks every buffer an allocator hands out until it is
 * released; this check sums the capacity of the tracked direct buffers (through the detector's private set of
 * trackers, read by reflection: Netty 4.2.18 internals) and asserts that count and bytes are no higher after the class
 * than before. A tracker whose buffer was garbage collected unreleased is a leak and counts as live. Below
 * {@code paranoid} only the pool figure is reported.
 */
final class DirectMemoryCheck implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DirectMemoryCheck.class);

    /** The allocator's reserved direct memory (chunks), or -1 when it exposes no metric. */
    static long poolLevel() {
        ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        return allocator instanceof ByteBufAllocatorMetricProvider
                ? ((ByteBufAllocatorMetricProvider) allocator).metric().usedDirectMemory() : -1;
    }

    /** {count, bytes} of live (tracked, unreleased) direct buffers; null when not every buffer is tracked. */
    static long[] liveDirect() {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            return null;
        }
        try {
            Field detectorField = AbstractByteBuf.class.getDeclaredField("leakDetector");
            detectorField.setAccessible(true);
            Object detector = detectorField.get(null);
            Field all = ResourceLeakDetector.class.getDeclaredField("allLeaks");
            all.setAccessible(true);
            long count = 0;
            long bytes = 0;
            for (Object tracker : (Set<?>) all.get(detector)) {
                Object tracked = ((Reference<?>) tracker).get();
                if (tracked == null) {
                    count++; // collected without a release: a leak
                } else if (tracked instanceof ByteBuf && ((ByteBuf) tracked).isDirect()) {
                    count++;
                    bytes += ((ByteBuf) tracked).capacity();
                }
            }
            return new long[] {count, bytes};
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new AssertionError("cannot read the leak detector's trackers (Netty internals changed?)", e);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        System.gc(); // trackers of buffers collected unreleased show as leaks
        context.getStore(NS).put("pool", poolLevel());
        context.getStore(NS).put("live", liveDirect());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        System.gc(); // trackers of buffers collected unreleased show as leaks
        String name = context.getDisplayName();
        long poolBefore = context.getStore(NS).get("pool", Long.class);
        long[] liveBefore = context.getStore(NS).get("live", long[].class);
        long[] liveAfter = liveDirect();
        String allocator = ByteBufAllocator.DEFAULT.getClass().getSimpleName();
        if (liveBefore == null || liveAfter == null) {
            Rel.figure("memory " + name, "%s pool level %d -> %d bytes; live buffers not measured (leak detection"
                    + " below paranoid)", allocator, poolBefore, poolLevel());
            return;
        }
        Rel.figure("memory " + name, "live direct buffers %d (%d bytes) before, %d (%d bytes) after; %s pool level"
                + " (reserved chunks, kept for reuse) %d -> %d bytes", liveBefore[0], liveBefore[1], liveAfter[0],
                liveAfter[1], allocator, poolBefore, poolLevel());
        assertThat(liveAfter[1]).as("bytes of live direct buffers after " + name).isLessThanOrEqualTo(liveBefore[1]);
        assertThat(liveAfter[0]).as("live direct buffers after " + name).isLessThanOrEqualTo(liveBefore[0]);
    }
}
