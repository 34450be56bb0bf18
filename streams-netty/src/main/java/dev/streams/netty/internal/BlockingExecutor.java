package dev.streams.netty.internal;

import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where blocking handlers run: one new virtual thread per connection when the running JVM has them (Java 21+, found
 * by reflection since this code is compiled for 17), else a pool of at most {@code maxPlatformThreads} daemon
 * threads whose further tasks wait in a queue.
 */
public final class BlockingExecutor {

    private static final ThreadFactory VIRTUAL = virtualThreadFactory();

    private BlockingExecutor() {
    }

    /** True when blocking handlers run on virtual threads. */
    public static boolean virtualThreads() {
        return VIRTUAL != null;
    }

    /**
     * A new executor for one server's handlers; call {@link #shutdown} when the server is done with it.
     *
     * @param maxPlatformThreads the pool's size when there are no virtual threads
     */
    public static Executor create(String name, int maxPlatformThreads) {
        if (VIRTUAL != null) {
            return task -> VIRTUAL.newThread(task).start();
        }
        AtomicLong count = new AtomicLong();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(maxPlatformThreads, maxPlatformThreads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Lets a pool's idle threads end once its tasks are done; nothing to do for virtual threads. */
    public static void shutdown(Executor executor) {
        if (executor instanceof ExecutorService) {
            ((ExecutorService) executor).shutdown();
        }
    }

    private static ThreadFactory virtualThreadFactory() {
        if (Boolean.getBoolean("dev.streams.noVirtualThreads")) {
            return null;
        }
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            builder = builderType.getMethod("name", String.class, long.class).invoke(builder, "streams-handler-", 1L);
            Method factory = builderType.getMethod("factory");
            return (ThreadFactory) factory.invoke(builder);
        } catch (ReflectiveOperationException | RuntimeException notThere) {
            return null; // Java 17-20: no virtual threads
        }
    }
}
