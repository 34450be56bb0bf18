package dev.streams.netty.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual threads, reached by reflection since this code is compiled for Java 17: on the JDK's default scheduler
 * ({@link #factory()}), and on a scheduler of ours ({@link #unstarted}), through the package-private constructor
 * {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)} of JDK 21-25, which needs {@code java.base/java.lang}
 * opened to this code. The system property {@code dev.streams.noVirtualThreads=true} hides both (tests, and users
 * who want the platform-thread pool).
 */
final class VirtualThreads {

    /** The JVM flag that lets {@link #unstarted} work. */
    static final String ADD_OPENS = "--add-opens java.base/java.lang=ALL-UNNAMED";
    /** The running Java's feature version (17, 21, 25...). */
    static final int JAVA = Runtime.version().feature();

    private static final boolean DISABLED = Boolean.getBoolean("dev.streams.noVirtualThreads");
    private static final ThreadFactory DEFAULT = DISABLED ? null : defaultSchedulerFactory();
    /** {@code (Executor) -> Thread.Builder.OfVirtual}; null when not available (see {@link #UNAVAILABLE}). */
    private static final MethodHandle NEW_BUILDER;
    /** {@code (Thread.Builder, String) -> Thread.Builder}. */
    private static final MethodHandle NAME;
    /** {@code (Thread.Builder, Runnable) -> Thread}. */
    private static final MethodHandle UNSTARTED;
    /** Why a virtual thread cannot have a scheduler of ours here; null when it can. */
    private static final String UNAVAILABLE;
    private static final AtomicLong COUNT = new AtomicLong();

    static {
        MethodHandle newBuilder = null;
        MethodHandle name = null;
        MethodHandle unstarted = null;
        String unavailable = null;
        if (DISABLED) {
            unavailable = "virtual threads are turned off (-Ddev.streams.noVirtualThreads=true)";
        } else if (DEFAULT == null) {
            unavailable = "it needs Java 21 or later (this is Java " + JAVA + ")";
        } else {
            try {
                Class<?> builderType = Class.forName("java.lang.Thread$Builder");
                Constructor<?> constructor = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder")
                        .getDeclaredConstructor(Executor.class);
                constructor.setAccessible(true); // fails unless java.base/java.lang is opened to us
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                newBuilder = MethodHandles.lookup().unreflectConstructor(constructor)
                        .asType(MethodType.methodType(Object.class, Executor.class));
                name = lookup.findVirtual(builderType, "name", MethodType.methodType(builderType, String.class))
                        .asType(MethodType.methodType(Object.class, Object.class, String.class));
                unstarted = lookup.findVirtual(builderType, "unstarted",
                        MethodType.methodType(Thread.class, Runnable.class))
                        .asType(MethodType.methodType(Thread.class, Object.class, Runnable.class));
            } catch (RuntimeException | ReflectiveOperationException notOpen) { // InaccessibleObjectException
                newBuilder = null;
                unavailable = "java.base/java.lang is not opened to dev.streams.netty (" + notOpen + "); add the JVM "
                        + "flag " + ADD_OPENS + " (or =dev.streams.netty on the module path), or Add-Opens: "
                        + "java.base/java.lang to an executable jar's manifest";
            }
        }
        NEW_BUILDER = newBuilder;
        NAME = name;
        UNSTARTED = unstarted;
        UNAVAILABLE = unavailable;
    }

    private VirtualThreads() {
    }

    /** Virtual threads on the JDK's default scheduler, named {@code streams-handler-N}; null before Java 21. */
    static ThreadFactory factory() {
        return DEFAULT;
    }

    /** Why {@link #unstarted} cannot work here, with the remedy; null when it can. */
    static String customSchedulerUnavailable() {
        return UNAVAILABLE;
    }

    /**
     * A virtual thread, not started, that runs {@code task} and whose every continuation is handed to
     * {@code scheduler}.
     *
     * @throws IllegalStateException when {@link #customSchedulerUnavailable()} says why not
     */
    static Thread unstarted(Executor scheduler, Runnable task) {
        if (NEW_BUILDER == null) {
            throw new IllegalStateException("virtual threads on a scheduler of our own: " + UNAVAILABLE);
        }
        try {
            Object builder = NEW_BUILDER.invokeExact(scheduler);
            builder = NAME.invokeExact(builder, "streams-handler-" + COUNT.incrementAndGet());
            return (Thread) UNSTARTED.invokeExact(builder, task);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable checked) {
            throw new IllegalStateException(checked); // the methods throw nothing checked
        }
    }

    private static ThreadFactory defaultSchedulerFactory() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            builder = builderType.getMethod("name", String.class, long.class).invoke(builder, "streams-handler-", 1L);
            return (ThreadFactory) builderType.getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException | RuntimeException notThere) {
            return null; // Java 17-20: no virtual threads
        }
    }
}
