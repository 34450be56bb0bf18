package dev.streams.netty.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Direct memory of the allocator the channels use ({@link ByteBufAllocator#DEFAULT}: Netty 4.2's
 * {@code AdaptiveByteBufAllocator} unless {@code io.netty.allocator.type} says otherwise) is back to where it was
 * before an end-to-end class, or what is above that level is free for reuse.
 *
 * <p><b>What is measured.</b> {@code metric().usedDirectMemory()} of that allocator: the bytes of the chunks it has
 * reserved, not of live buffers. A pool keeps released chunks for reuse, so after a class that moved many megabytes
 * the level may stay above the starting one with every buffer released. This check therefore takes the level after
 * the class (its {@code @AfterAll} has closed everything and shut its event loops down) and, when it is above the
 * starting level, <em>reuses</em> the surplus: it allocates that many bytes in 64 KiB buffers (less one chunk of
 * slack for fragmentation) and asserts that the allocator needed no new chunks (at most {@link #SLACK} more). Memory
 * pinned by a leaked buffer cannot be reused, so the level would grow. (Small leaks are the leak detector's job: the
 * test JVMs run it at {@code paranoid} and {@code LeakCheckExtension} fails a class on any report.)
 */
final class DirectMemoryCheck implements BeforeAllCallback, AfterAllCallback {

    /** One chunk of the adaptive allocator at its common size, allowed for fragmentation. */
    static final long SLACK = 256 * 1024;
    private static final int PROBE = 64 * 1024;
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DirectMemoryCheck.class);

    /** The direct memory the default allocator has reserved, or -1 when it exposes no metric. */
    static long used() {
        ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        return allocator instanceof ByteBufAllocatorMetricProvider
                ? ((ByteBufAllocatorMetricProvider) allocator).metric().usedDirectMemory() : -1;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("before", used());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        long before = context.getStore(NS).get("before", Long.class);
        long after = used();
        String name = context.getDisplayName();
        String allocator = ByteBufAllocator.DEFAULT.getClass().getSimpleName();
        if (after < 0) {
            Rel.figure("memory " + name, "%s exposes no metric: not measured", allocator);
            return;
        }
        long surplus = after - before;
        long reused = 0;
        long probed = after;
        if (surplus > SLACK) {
            List<ByteBuf> buffers = new ArrayList<>();
            try {
                for (long total = 0; total + PROBE <= surplus - SLACK; total += PROBE) {
                    buffers.add(ByteBufAllocator.DEFAULT.ioBuffer(PROBE, PROBE));
                    reused += PROBE;
                }
                probed = used();
            } finally {
                buffers.forEach(ByteBuf::release);
            }
        }
        Rel.figure("memory " + name, "%s used direct memory before %d, after %d bytes; reused %d bytes of the"
                + " surplus, level while reusing %d", allocator, before, after, reused, probed);
        assertThat(probed).as("direct memory needed to reuse the surplus after " + name
                + " (a leak pins chunks, so new ones would be reserved)").isLessThanOrEqualTo(after + SLACK);
    }
}
