package dev.streams.netty.reader;

import static dev.streams.Await.await;
import static dev.streams.netty.reader.Bytes.b;
import static dev.streams.netty.reader.Bytes.done;
import static dev.streams.netty.reader.Bytes.failure;
import static dev.streams.netty.reader.Bytes.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.streams.IncompleteReadException;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link dev.streams.Await}: failures are thrown as themselves, unwrapped from {@link CompletionException} and
 * {@link ExecutionException}; a {@link TimeoutException} becomes a {@link SocketTimeoutException}; a timed-out or
 * interrupted wait cancels the read and leaves the stream usable (no byte lost, the waiting slot free); and on a
 * Netty event-loop thread it refuses to block.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AwaitTest {

    private final FeedableStreamReader reader = NettyStreams.newReader(1024);

    @AfterEach
    void endTheStream() {
        reader.feedEof();
    }

    // ------------------------------------------------------------------------------------------- values and failures

    @Test
    void aNegativeTimeoutIsRefusedAndTheReadIsCancelledLosingNothing() throws Exception {
        java.util.concurrent.CompletableFuture<byte[]> line = reader.readLine();
        assertThatThrownBy(() -> await(line, Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout < 0: PT-0.001S");
        assertThat(line).isCancelled();
        reader.feedData(b("kept\n"));
        assertThat(s(await(reader.readLine()))).isEqualTo("kept\n");
    }

    @Test
    void returnsTheValueOfACompletedRead() throws IOException {
        reader.feedData(b("line\nmore"));

        assertThat(s(await(reader.readLine()))).isEqualTo("line\n");
        assertThat(s(await(reader.read(10), Duration.ofSeconds(1)))).isEqualTo("more");
        assertThat(s(await(reader.read(0), Duration.ZERO))).as("already complete: zero timeout is fine").isEmpty();
    }

    @Test
    void anIncompleteReadIsThrownAsItself() {
        reader.feedData(b("ab"));
        reader.feedEof();
        CompletableFuture<byte[]> read = reader.readExactly(5);
        Throwable failure = failure(read);

        Throwable thrown = catchThrowable(() -> await(read));

        assertThat(thrown).isSameAs(failure).isInstanceOf(IncompleteReadException.class)
                .hasMessage("2 bytes read on a total of 5 expected bytes");
        assertThat(s(((IncompleteReadException) thrown).partial())).isEqualTo("ab");
    }

    @Test
    void aDependentStageFailureIsUnwrappedFromCompletionException() {
        CompletableFuture<String> line = reader.readUntil(b("||")).thenApply(Bytes::s);
        reader.feedData(b("abc"));
        reader.feedEof();

        Throwable thrown = catchThrowable(() -> await(line));

        assertThat(thrown).isInstanceOfSatisfying(IncompleteReadException.class, e -> {
            assertThat(s(e.partial())).isEqualTo("abc");
            assertThat(e.expected()).isEqualTo(-1);
        });
    }

    @Test
    void nestedWrappersAreUnwrappedToTheRealCause() {
        IOException real = new IOException("real");

        Throwable thrown = catchThrowable(() -> await(CompletableFuture.failedFuture(
                new ExecutionException(new CompletionException(real)))));

        assertThat(thrown).isSameAs(real);
    }

    @Test
    void aRuntimeExceptionIsThrownAsItself() {
        CompletableFuture<byte[]> waiting = reader.readLine();
        CompletableFuture<byte[]> refused = reader.readLine();

        Throwable thrown = catchThrowable(() -> await(refused));

        assertThat(thrown).isSameAs(failure(refused)).isInstanceOf(IllegalStateException.class);
        assertThat(waiting).isNotDone();
    }

    @Test
    void anErrorIsThrownAsItself() {
        InternalError error = new InternalError("boom");

        assertThat(catchThrowable(() -> await(CompletableFuture.failedFuture(error)))).isSameAs(error);
    }

    @Test
    void anUncheckedIoExceptionIsThrownAsItsIoException() {
        IOException io = new IOException("io");

        Throwable thrown = catchThrowable(() -> await(CompletableFuture.failedFuture(new UncheckedIOException(io))));

        assertThat(thrown).isSameAs(io);
    }

    @Test
    void anotherCheckedExceptionIsWrappedInAnIoException() {
        Exception checked = new Exception("checked");

        Throwable thrown = catchThrowable(() -> await(CompletableFuture.failedFuture(checked)));

        assertThat(thrown).isExactlyInstanceOf(IOException.class).hasCause(checked);
    }

    @Test
    void aTimeoutExceptionCauseBecomesSocketTimeoutAndTheStreamStaysUsable() throws IOException {
        reader.feedData(b("ab"));

        Throwable thrown = catchThrowable(() -> await(reader.readLine().orTimeout(10, TimeUnit.MILLISECONDS)));

        assertThat(thrown).isInstanceOf(SocketTimeoutException.class).hasCauseInstanceOf(TimeoutException.class);
        reader.feedData(b("c\n"));
        assertThat(s(await(reader.readLine()))).isEqualTo("abc\n");
    }

    @Test
    void aCancelledStageThrowsCancellationException() {
        CompletableFuture<byte[]> read = reader.read(1);
        read.cancel(false);

        assertThatThrownBy(() -> await(read)).isInstanceOf(CancellationException.class);
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> await(null)).isInstanceOf(NullPointerException.class).hasMessage("stage");
        assertThatThrownBy(() -> await(reader.read(0), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-0.001");
    }

    // ------------------------------------------------------------------------------------------- timeouts

    @Test
    void timingOutCancelsTheReadAndLeavesTheStreamUsable() throws IOException {
        reader.feedData(b("ab"));
        CompletableFuture<byte[]> read = reader.readLine();

        Throwable thrown = catchThrowable(() -> await(read, Duration.ofMillis(20)));

        assertThat(thrown).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("timed out");
        assertThat(read).as("the timed-out read is cancelled").isCancelled();
        reader.feedData(b("c\n"));
        assertThat(s(await(reader.readLine(), Duration.ofSeconds(5)))).as("no byte lost, slot free")
                .isEqualTo("abc\n");
    }

    @Test
    void timingOutOnReadAllLosesNothingEither() throws IOException {
        reader.feedData(b("first "));

        assertThatThrownBy(() -> await(reader.read(-1), Duration.ofMillis(10)))
                .isInstanceOf(SocketTimeoutException.class);

        reader.feedData(b("second"));
        reader.feedEof();
        assertThat(s(await(reader.read(-1), Duration.ofSeconds(5)))).isEqualTo("first second");
    }

    @Test
    void aReadCompletedWithinTheTimeoutReturnsItsValue() throws Exception {
        CompletableFuture<byte[]> read = reader.readLine();
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread waiter = new Thread(() -> outcome.set(call(() -> await(read, Duration.ofSeconds(20)))), "waiter");
        waiter.start();
        awaitBlocked(waiter, read);

        reader.feedData(b("in time\n"));
        waiter.join(10_000);

        assertThat(outcome.get()).isInstanceOf(byte[].class);
        assertThat(s((byte[]) outcome.get())).isEqualTo("in time\n");
    }

    /**
     * Timeouts of a few microseconds race the data: whether {@code await} returns the bytes or times out, no byte
     * is lost (a read the reader already answered when the timeout cancelled it must be returned, not dropped).
     */
    @Test
    void tinyTimeoutsRacingTheDataLoseNoByte() throws Exception {
        long seed = 42L;
        byte[] data = new byte[32 * 1024];
        new Random(seed).nextBytes(data);
        CompletableFuture<Void> feeder = Feeder.start(reader, data, seed + 1, 32, false);

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Random random = new Random(seed + 2);
        int timeouts = 0;
        try {
            while (!reader.atEof() && !feeder.isCompletedExceptionally()) {
                try {
                    received.write(await(reader.read(1 + random.nextInt(64)),
                            Duration.ofNanos(random.nextInt(20_000))));
                } catch (SocketTimeoutException e) {
                    timeouts++;
                }
            }
            feeder.get(10, TimeUnit.SECONDS);
        } finally {
            feeder.exceptionally(t -> null).get(10, TimeUnit.SECONDS); // the feeder is done before the checks
        }

        byte[] got = received.toByteArray();
        assertThat(got.length).as("bytes received (seed %d, %d timeouts)", seed, timeouts).isEqualTo(data.length);
        assertThat(Arrays.mismatch(got, data)).as("first differing index (seed %d)", seed).isEqualTo(-1);
    }

    // ------------------------------------------------------------------------------------------- interrupts

    @Test
    void anInterruptCancelsTheReadFreesTheSlotAndKeepsTheInterruptFlag() throws Exception {
        reader.feedData(b("par"));
        CompletableFuture<byte[]> read = reader.readLine();
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            outcome.set(call(() -> await(read)));
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        }, "waiter");
        waiter.start();
        awaitBlocked(waiter, read);

        waiter.interrupt();
        waiter.join(10_000);

        assertThat(outcome.get()).isInstanceOf(InterruptedIOException.class);
        assertThat(interruptedAfter.get()).as("interrupt status kept").isTrue();
        assertThat(read).as("the read was cancelled").isCancelled();
        CompletableFuture<byte[]> next = reader.readLine();
        assertThat(next).as("the slot is free: the next read waits instead of failing").isNotDone();
        reader.feedData(b("tial\n"));
        assertThat(done(next)).isEqualTo("partial\n");
    }

    @Test
    void anAlreadyInterruptedThreadThrowsAtOnceAndCancelsTheRead() throws IOException {
        CompletableFuture<byte[]> read = reader.read(10);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> await(read)).isInstanceOf(InterruptedIOException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted(); // clear it for the next test
        }
        assertThat(read).isCancelled();
        reader.feedData(b("kept"));
        assertThat(s(await(reader.read(10)))).isEqualTo("kept");
    }

    // ------------------------------------------------------------------------------------------- event loop

    @Test
    void onAnEventLoopThreadAwaitRefusesToBlockOnAnIncompleteRead() throws Exception {
        CompletableFuture<byte[]> read = reader.readLine();

        Object outcome = onEventLoop(() -> await(read));
        Object withTimeout = onEventLoop(() -> await(read, Duration.ofSeconds(5)));

        assertThat(outcome).isInstanceOf(IllegalStateException.class);
        assertThat(((Throwable) outcome).getMessage()).contains("event-loop");
        assertThat(withTimeout).isInstanceOf(IllegalStateException.class);
        assertThat(read).as("the refused wait leaves the read alone").isNotDone();
        reader.feedData(b("later\n"));
        assertThat(done(read)).isEqualTo("later\n");
    }

    @Test
    void onAnEventLoopThreadAwaitReturnsACompletedRead() throws Exception {
        reader.feedData(b("ready\n"));
        CompletableFuture<byte[]> read = reader.readLine();

        Object outcome = onEventLoop(() -> await(read));

        assertThat(outcome).isInstanceOf(byte[].class);
        assertThat(s((byte[]) outcome)).isEqualTo("ready\n");
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** Runs {@code task} on a fresh Netty event loop; returns its value or what it threw. */
    private static Object onEventLoop(Callable<Object> task) throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            return group.submit(() -> call(task)).get(10, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** The value of {@code task}, or what it threw. */
    private static Object call(Callable<?> task) {
        try {
            return task.call();
        } catch (Throwable t) {
            return t;
        }
    }

    /** Waits (bounded, no sleep as synchronisation) until {@code thread} is parked waiting for {@code future}. */
    private static void awaitBlocked(Thread thread, CompletableFuture<?> future) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(future.getNumberOfDependents() > 0
                && (thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.TIMED_WAITING))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("thread never blocked on the future: " + thread.getState());
            }
            Thread.onSpinWait();
            LockSupport.parkNanos(100_000);
        }
    }
}
