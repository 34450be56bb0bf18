package dev.streams.netty.reader;

import dev.streams.netty.FeedableStreamReader;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Feeds a reader from another thread, in seeded random pieces (as {@code byte[]} copies or pooled direct buffers,
 * which the reader then owns) with seeded random pauses, then feeds EOF: the data side of the race tests.
 */
final class Feeder {

    private Feeder() {
    }

    /**
     * Starts the feeding thread.
     *
     * @return completes once EOF was fed; fails with whatever the feeding threw
     */
    static CompletableFuture<Void> start(FeedableStreamReader reader, byte[] data, long seed, int maxPiece,
                                         boolean pooled) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                Random random = new Random(seed);
                for (int at = 0; at < data.length; ) {
                    int size = Math.min(1 + random.nextInt(maxPiece), data.length - at);
                    if (pooled && random.nextBoolean()) {
                        reader.feedData(PooledByteBufAllocator.DEFAULT.directBuffer(size).writeBytes(data, at, size));
                    } else {
                        reader.feedData(Arrays.copyOfRange(data, at, at + size));
                    }
                    at += size;
                    if (random.nextInt(8) == 0) {
                        Thread.yield();
                    } else {
                        for (int spin = random.nextInt(1000); spin > 0; spin--) {
                            Thread.onSpinWait();
                        }
                    }
                }
                reader.feedEof();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "feeder");
        thread.start();
        return done;
    }
}
