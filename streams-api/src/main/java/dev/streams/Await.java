package dev.streams;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Blocks the calling thread until a stage completes: the {@code await} of blocking code.
 *
 * <pre>{@code
 * import static dev.streams.Await.await;
 *
 * byte[] line = await(reader.readLine());
 * }</pre>
 *
 * <ul>
 *   <li>The stage's failure is thrown as itself, unwrapped from {@link CompletionException} and
 *       {@link ExecutionException}: an {@link IOException} (such as {@link IncompleteReadException}), a runtime
 *       exception or an error as it is; a {@link TimeoutException} (from {@code orTimeout}) as a
 *       {@link SocketTimeoutException} with it as the cause; any other checked exception wrapped in an
 *       {@link IOException}.</li>
 *   <li>An interrupt cancels the stage (a cancelled read loses no bytes), keeps the thread's interrupt status set and
 *       throws {@link InterruptedIOException}.</li>
 *   <li>Called on a Netty event-loop thread it throws {@link IllegalStateException} instead of deadlocking the loop
 *       that would complete the stage. (Implementations register a {@link BlockingGuard} to say which threads those
 *       are.)</li>
 * </ul>
 */
public final class Await {

    /**
     * Tells {@link Await} which threads must never block: a service that implementations provide through
     * {@link ServiceLoader} (the Netty implementation refuses its event-loop threads).
     */
    public interface BlockingGuard {
        /**
         * Whether the current thread must not block.
         *
         * @return true on a thread that must not block (an event loop)
         */
        boolean mustNotBlock();
    }

    private static final List<BlockingGuard> GUARDS = ServiceLoader.load(BlockingGuard.class, Await.class.getClassLoader())
            .stream().map(ServiceLoader.Provider::get).collect(Collectors.toUnmodifiableList());

    private Await() {
    }

    /**
     * Waits for {@code stage} and returns its value.
     *
     * @param <T>   the value's type
     * @param stage the operation to wait for
     * @return the stage's value
     * @throws NullPointerException     when {@code stage} is null
     * @throws IOException              the stage's failure, or an interrupt ({@link InterruptedIOException})
     * @throws IllegalStateException    on an event-loop thread
     * @throws CancellationException    when the stage was cancelled
     */
    public static <T> T await(CompletionStage<T> stage) throws IOException {
        return await(stage, null);
    }

    /**
     * Waits at most {@code timeout} for {@code stage}. On timeout the stage is cancelled (a read loses no bytes and
     * the stream stays usable, like a socket's {@code SO_TIMEOUT}) and {@link SocketTimeoutException} is thrown.
     *
     * @param <T>     the value's type
     * @param stage   the operation to wait for
     * @param timeout how long to wait; {@code null} waits without end
     * @return the stage's value
     * @throws NullPointerException     when {@code stage} is null
     * @throws IOException              the stage's failure, {@link SocketTimeoutException} on timeout, or an
     *                                  interrupt ({@link InterruptedIOException})
     * @throws IllegalStateException    on an event-loop thread
     * @throws CancellationException    when the stage was cancelled
     * @throws IllegalArgumentException when {@code timeout} is negative (the stage is cancelled first)
     */
    public static <T> T await(CompletionStage<T> stage, Duration timeout) throws IOException {
        Objects.requireNonNull(stage, "stage");
        if (timeout != null && timeout.isNegative()) {
            stage.toCompletableFuture().cancel(false); // a read already issued must not stay waiting
            throw new IllegalArgumentException("timeout < 0: " + timeout);
        }
        CompletableFuture<T> future = stage.toCompletableFuture();
        if (!future.isDone()) {
            checkMayBlock();
        }
        try {
            if (timeout == null) {
                return future.get();
            }
            return future.get(toNanos(timeout), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            boolean cancelled = future.cancel(false);
            Thread.currentThread().interrupt();
            if (!cancelled && !future.isCancelled()) {
                return outcome(future); // it completed before the cancel could win: keep its result
            }
            InterruptedIOException interrupted = new InterruptedIOException("interrupted while waiting");
            interrupted.initCause(e);
            throw interrupted;
        } catch (TimeoutException e) {
            boolean cancelled = future.cancel(false);
            if (!cancelled && !future.isCancelled()) {
                return outcome(future); // it completed between the timeout and the cancel: use it
            }
            SocketTimeoutException timedOut = new SocketTimeoutException("timed out after " + timeout);
            timedOut.initCause(e);
            throw timedOut;
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    /** The value of a future that is done (a lost {@code cancel} means done), or its unwrapped failure. */
    private static <T> T outcome(CompletableFuture<T> future) throws IOException {
        try {
            return future.join();
        } catch (CompletionException | CancellationException e) {
            throw rethrow(e instanceof CompletionException ? e.getCause() : e);
        }
    }

    private static long toNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * {@link #await(CompletionStage)} for the stream views, which have already refused an event-loop thread: a failure
     * that is not an {@link IOException} (a pipeline's {@code RuntimeException}, a cancellation, a rejected task) comes
     * wrapped in one, since stream users catch {@code IOException}.
     */
    static <T> T awaitForStream(CompletionStage<T> stage) throws IOException {
        try {
            return await(stage);
        } catch (RuntimeException failed) {
            throw new IOException("the connection failed: " + failed, failed);
        }
    }

    /** Throws {@link IllegalStateException} on a thread that must not block (an event loop). */
    static void checkMayBlock() {
        for (BlockingGuard guard : GUARDS) {
            if (guard.mustNotBlock()) {
                throw new IllegalStateException("await() on an event-loop thread would deadlock it: "
                        + Thread.currentThread().getName() + "; chain the future instead");
            }
        }
    }

    private static IOException rethrow(Throwable cause) {
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof IOException) {
            return (IOException) cause;
        }
        if (cause instanceof UncheckedIOException) {
            return ((UncheckedIOException) cause).getCause();
        }
        if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        if (cause instanceof TimeoutException) {
            SocketTimeoutException timedOut = new SocketTimeoutException("timed out: " + cause.getMessage());
            timedOut.initCause(cause);
            return timedOut;
        }
        return new IOException(cause);
    }
}
