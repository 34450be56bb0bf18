package dev.streams.examples;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A loop over futures without recursion: asyncio's {@code while True: await ...} for code that chains futures.
 *
 * <p>Reads the buffer already answers complete at once; chaining {@code thenCompose} recursively over them would
 * grow the stack with every line of a long pipelined burst. This runs already-complete steps in a plain
 * {@code while} loop and only waits (with a callback) when a step has to.
 */
final class AsyncLoop {

    private AsyncLoop() {
    }

    /**
     * Runs {@code step} again and again while its stage completes with {@code true}.
     *
     * @return completes when a step answers {@code false}; fails with the first step's failure
     */
    static CompletableFuture<Void> repeat(Supplier<? extends CompletionStage<Boolean>> step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        run(step, done);
        return done;
    }

    private static void run(Supplier<? extends CompletionStage<Boolean>> step, CompletableFuture<Void> done) {
        while (true) {
            CompletableFuture<Boolean> next;
            try {
                next = step.get().toCompletableFuture();
            } catch (Throwable t) {
                done.completeExceptionally(t);
                return;
            }
            if (next.isDone() && !next.isCompletedExceptionally()) {
                if (!next.join()) {
                    done.complete(null);
                    return;
                }
                continue; // already answered: next round without growing the stack
            }
            next.whenComplete((more, failure) -> {
                if (failure != null) {
                    done.completeExceptionally(failure);
                } else if (more) {
                    run(step, done);
                } else {
                    done.complete(null);
                }
            });
            return;
        }
    }
}
