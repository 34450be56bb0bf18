package dev.streams.netty.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The future of a read that had to wait. It is what makes cancellation lose nothing: whoever completes it first
 * "claims" it under the reader's lock. The reader claims it before it takes any byte from the buffer; anybody else
 * ({@code cancel}, {@code orTimeout}, {@code complete...}) claims it and frees the reader's waiting slot before the
 * future completes, so the bytes stay in the buffer and the next read does not see "already waiting".
 */
final class ReadFuture<T> extends CompletableFuture<T> {

    /** What the read wants; see {@link UnreadBytes#attempt}. A byte: a waiting read is one per idle connection. */
    final byte kind;
    /** The byte count of {@code read(n)} and {@code readExactly(n)}. */
    final int n;
    /** The separators of {@code readUntil} and {@code readLine}; null otherwise. */
    final byte[][] separators;
    /** What the answer is made of: {@link UnreadBytes#ARRAY}, {@code BUF} or {@code INTO}. */
    final byte form;
    /** For {@code INTO}: the caller's memory, written only by the reader that claims this future. */
    final ByteBuffer dst;
    /** Where the next separator search starts (bytes before it were searched already). Guarded by the reader's lock. */
    int scanFrom;
    /** True once somebody won the right to complete this future. Guarded by the reader's lock. */
    boolean claimed;
    /**
     * The reader's answer (a {@code Throwable}, or the value: {@code byte[]}, {@code ByteBuf} or {@code Integer}), set
     * under the reader's lock together with
     * {@link #claimed} when the reader wins; null while it has not (or when somebody else won).
     */
    Object outcome;

    private final ByteBufStreamReader reader;

    ReadFuture(ByteBufStreamReader reader, int kind, int n, byte[][] separators, int scanFrom, int form,
               ByteBuffer dst) {
        this.reader = reader;
        this.kind = (byte) kind;
        this.n = n;
        this.separators = separators;
        this.scanFrom = scanFrom;
        this.form = (byte) form;
        this.dst = dst;
    }

    /** A read the buffer answered at once: a completed (or failed) future. */
    @SuppressWarnings("unchecked")
    static <T> CompletableFuture<T> answered(Object outcome) {
        return outcome instanceof Throwable
                ? CompletableFuture.failedFuture((Throwable) outcome)
                : CompletableFuture.completedFuture((T) outcome);
    }

    /**
     * Completes with the reader's answer; the reader claimed this future first. A {@code ByteBuf} answer belongs to
     * whoever takes the future's value (completing twice keeps the first value: it is never handed out twice).
     */
    @SuppressWarnings("unchecked")
    void deliver(Object outcome) {
        if (outcome instanceof Throwable) {
            super.completeExceptionally((Throwable) outcome);
        } else {
            super.complete((T) outcome);
        }
    }

    /**
     * Claims this future for a completion from outside. When the reader won first, its answer is delivered here and
     * now (unless it was already): the reader delivers only after releasing its lock, and without this a caller could
     * see {@code cancel} return false while the future is not yet done, and give up on bytes that were taken for it
     * (as {@code Await} did on a timeout).
     */
    private boolean claimFromOutside() {
        if (reader.claimFromOutside(this)) {
            return true;
        }
        Object answer = outcome; // written under the reader's lock, which claimFromOutside took after the claim
        if (answer != null) {
            deliver(answer);
        }
        return false;
    }

    @Override
    public boolean complete(T value) {
        return claimFromOutside() && super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        return claimFromOutside() && super.completeExceptionally(ex);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return claimFromOutside() && super.cancel(mayInterruptIfRunning);
    }

    @Override
    public void obtrudeValue(T value) {
        reader.claimFromOutside(this);
        super.obtrudeValue(value);
    }

    @Override
    public void obtrudeException(Throwable ex) {
        reader.claimFromOutside(this);
        super.obtrudeException(ex);
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        // CompletableFuture's own completeAsync completes through a private path; route it through ours.
        executor.execute(() -> {
            try {
                complete(supplier.get());
            } catch (Throwable t) {
                completeExceptionally(t);
            }
        });
        return this;
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        return completeAsync(supplier, defaultExecutor());
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
