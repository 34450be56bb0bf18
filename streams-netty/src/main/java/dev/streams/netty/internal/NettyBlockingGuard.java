package dev.streams.netty.internal;

import dev.streams.Await;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.InternalThreadLocalMap;
import io.netty.util.internal.ThreadExecutorMap;

/** Tells {@link Await} that a Netty event-loop thread must not block (like {@code DefaultPromise.checkDeadLock}). */
public final class NettyBlockingGuard implements Await.BlockingGuard {

    @Override
    public boolean mustNotBlock() {
        if (InternalThreadLocalMap.getIfSet() == null) {
            return false; // no Netty executor ever ran here; asking would create the thread-local map for nothing
        }
        EventExecutor executor = ThreadExecutorMap.currentExecutor();
        return executor != null && executor.inEventLoop();
    }
}
