package dev.streams;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * {@link StreamReader#forEachLine}: reads a line, hands it to the action, waits for the action's stage, again until
 * EOF. Lines the buffer already answers (their read is complete at once) and actions whose stage is already complete
 * go round a plain {@code while} loop, so millions of buffered lines take no stack; the loop only leaves the stack
 * (with a callback) when a read or an action's stage has to wait, and resumes on the thread that completes it.
 */
final class LineLoop {

    private final StreamReader reader;
    private final Function<byte[], ? extends CompletionStage<?>> action;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** The read the loop waits on, cancelled when {@link #done} is (a cancelled read loses no bytes). */
    private volatile CompletableFuture<byte[]> waitingRead;

    private LineLoop(StreamReader reader, Function<byte[], ? extends CompletionStage<?>> action) {
        this.reader = reader;
        this.action = action;
    }

    static CompletableFuture<Void> run(StreamReader reader, Function<byte[], ? extends CompletionStage<?>> action) {
        Objects.requireNonNull(action, "action");
        LineLoop loop = new LineLoop(reader, action);
        loop.done.whenComplete((ignored, failure) -> {
            CompletableFuture<byte[]> read = loop.waitingRead;
            if (read != null && loop.done.isCompletedExceptionally()) {
                read.cancel(false); // stopped from outside (or failed): the waiting read gives its slot back
            }
        });
        loop.resume();
        return loop.done;
    }

    /** Reads and hands on lines while they are there at once; returns once something has to wait, or at the end. */
    private void resume() {
        while (!done.isDone()) {
            CompletableFuture<byte[]> read;
            try {
                read = reader.readLine();
            } catch (RuntimeException e) {
                done.completeExceptionally(e); // another read is already waiting
                return;
            }
            if (!read.isDone()) {
                waitingRead = read;
                read.whenComplete((line, failure) -> {
                    waitingRead = null;
                    if (failure != null) {
                        done.completeExceptionally(unwrap(failure));
                    } else if (handOn(line)) {
                        resume();
                    }
                });
                if (done.isDone()) {
                    read.cancel(false); // stopped while the callback was being added
                }
                return;
            }
            byte[] line;
            try {
                line = read.join();
            } catch (CompletionException | CancellationException e) {
                done.completeExceptionally(unwrap(e));
                return;
            }
            if (!handOn(line)) {
                return;
            }
        }
    }

    /**
     * Hands {@code line} to the action (an empty line is EOF: the loop is done).
     *
     * @return true when the loop may read on at once; false when it ended or waits for the action's stage
     */
    private boolean handOn(byte[] line) {
        if (line.length == 0) {
            done.complete(null);
            return false;
        }
        if (done.isDone()) {
            return false; // cancelled from outside: the line stays unprocessed, as asked
        }
        CompletionStage<?> stage;
        try {
            stage = action.apply(line);
        } catch (Throwable t) {
            done.completeExceptionally(t);
            return false;
        }
        if (stage == null) {
            return true;
        }
        CompletableFuture<?> future = stage.toCompletableFuture();
        if (future.isDone()) {
            try {
                future.join();
                return true;
            } catch (CompletionException | CancellationException e) {
                done.completeExceptionally(unwrap(e));
                return false;
            }
        }
        future.whenComplete((ignored, failure) -> {
            if (failure != null) {
                done.completeExceptionally(unwrap(failure));
            } else {
                resume();
            }
        });
        return false;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
