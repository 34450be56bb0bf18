package dev.streams.netty.internal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The scheduler of one connection's handler thread under {@code BlockingScheduler.EVENT_LOOP}: a virtual thread whose
 * every continuation (its start, and each resumption after it parked) runs as a task of the connection's event loop.
 * A read that the event loop completes therefore resumes the handler on the loop's own OS thread, with no wake-up of
 * another thread.
 *
 * <p>While a continuation runs here, the handler's writes gather in the writer's pending buffer like a write made on
 * the event loop (see {@link CarriedWrites}); when the thread parks or returns, the run ends and this
 * task hands the gathered bytes to the channel and flushes them, now on the event loop itself.
 *
 * <p>When the event loop is shutting down or gone, a continuation runs on a platform thread of its own instead, so
 * that a handler parked at shutdown is resumed, finds its connection closed, and returns rather than staying parked
 * for ever. Its writes then take the path of any other thread.
 */
final class LoopCarrier implements Executor, Runnable {

    private final EventLoop loop;
    /** The handler thread's writes, flushed after each of its runs. */
    private final CarriedWrites writes;
    /** The handler thread; set before it starts. */
    private Thread thread;
    /** The thread's continuation (the JDK submits the same one each time): set by the first submission. */
    private Runnable continuation;
    /**
     * True while a continuation runs on the event loop. Written and read on the loop's OS thread only (by this task,
     * and by the handler thread it carries, which the JDK mounts and unmounts with full fences).
     */
    private boolean onLoop;

    private LoopCarrier(EventLoop loop, WriteQueue queue, ByteBufAllocator alloc) {
        this.loop = loop;
        this.writes = new CarriedWrites(queue, this, alloc);
    }

    /** A virtual thread, not started, that runs {@code task} on the event loop of {@code connection}. */
    static Thread newThread(NettyStreamConnection connection, Runnable task) {
        ChannelStreamWriter writer = connection.writer();
        LoopCarrier carrier = new LoopCarrier(writer.channel().eventLoop(), writer.queue(), writer.channel().alloc());
        Thread thread = VirtualThreads.unstarted(carrier, task);
        carrier.thread = thread;
        writer.queue().carriedBy(carrier.writes); // before the thread starts: Thread.start publishes it
        return thread;
    }

    /** True when {@code current} is the handler thread and the event loop is carrying it now. */
    boolean carries(Thread current) {
        return onLoop && current == thread;
    }

    /** Called by the JDK, from any thread, each time the handler thread is ready to run. */
    @Override
    public void execute(Runnable task) {
        if (continuation == null) {
            continuation = task; // the first submission: Thread.start, before any other
        }
        if (!loop.isShuttingDown()) {
            try {
                loop.execute(task == continuation ? this : () -> runOnLoop(task));
                return;
            } catch (RejectedExecutionException loopGone) {
                // shut down since the check: resumed below
            }
        }
        // A loop that is shutting down may not run its tasks any more: the thread goes on elsewhere, and ends.
        Thread resume = new Thread(task, thread.getName() + "-after-its-event-loop");
        resume.setDaemon(true);
        resume.start();
    }

    /** The event loop's task: one run of the handler thread, until it parks or returns. */
    @Override
    public void run() {
        runOnLoop(continuation);
    }

    private void runOnLoop(Runnable task) {
        onLoop = true;
        try {
            task.run();
        } finally {
            onLoop = false;
            writes.flush(); // the thread parked or returned: what it wrote goes out now
        }
    }
}
