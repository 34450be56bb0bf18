package dev.streams.examples;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a future, so that a server can stop cleanly and exit 0.
 *
 * <p>The JDK's only way to catch a signal is {@code sun.misc.Signal} (module {@code jdk.unsupported}); it is reached
 * by reflection because javac warns on every direct use, and the build treats warnings as errors. Where it is
 * missing, a shutdown hook completes the future instead (the JVM then exits with 130/143 after the cleanup).
 */
final class Signals {

    private Signals() {
    }

    /**
     * A future completed on the first SIGINT or SIGTERM.
     *
     * @param cleanupDone completed by the caller once it has cleaned up; the fallback shutdown hook waits for it
     *                    (at most 10 s), so that the cleanup runs before the JVM goes away
     */
    static CompletableFuture<String> termination(CompletableFuture<?> cleanupDone) {
        CompletableFuture<String> stop = new CompletableFuture<>();
        boolean installed = handle("INT", stop) & handle("TERM", stop);
        if (!installed) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.complete("shutdown");
                try {
                    cleanupDone.get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // exiting anyway
                }
            }, "streams-examples-shutdown"));
        }
        return stop;
    }

    /** {@code Signal.handle(new Signal(name), s -> stop.complete("SIG" + name))}, by reflection. */
    private static boolean handle(String name, CompletableFuture<String> stop) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            InvocationHandler onSignal = (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                    stop.complete("SIG" + name);
                    return null;
                }
                if (method.getName().equals("equals")) {
                    return proxy == args[0];
                }
                return method.getName().equals("hashCode") ? System.identityHashCode(proxy) : "signal handler";
            };
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    onSignal);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unavailable) {
            return false;
        }
    }
}
