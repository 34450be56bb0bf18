package dev.streams.netty.internal;

import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;

/**
 * Run by {@code BlockingSchedulerTest} in a JVM started without {@code --add-opens java.base/java.lang}: prints what
 * AUTO resolves to there and how asking for EVENT_LOOP fails.
 */
public final class SchedulerWithoutFlagMain {

    private SchedulerWithoutFlagMain() {
    }

    public static void main(String[] args) {
        System.out.println("AUTO -> " + BlockingExecutor.resolve(BlockingScheduler.AUTO));
        try {
            NettyStreams.startBlockingServer((reader, writer) -> { }, "127.0.0.1", 0,
                    ServerOptions.builder().blockingScheduler(BlockingScheduler.EVENT_LOOP).build());
            System.out.println("EVENT_LOOP started");
        } catch (IllegalStateException refused) {
            System.out.println(refused);
        }
    }
}
