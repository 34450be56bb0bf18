package dev.streams.bench.harness;

import static dev.streams.Await.await;

import dev.streams.BlockingClientHandler;
import dev.streams.ClientHandler;
import dev.streams.StreamWriter;
import dev.streams.netty.NettyStreamReader;
import dev.streams.netty.NettyStreamWriter;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The line-echo handlers written with the library, the way a user would write them. */
public final class EchoHandlers {

    private EchoHandlers() {
    }

    /**
     * Async line echo: {@code loop { line = readLine(); if empty: done; write(line); drain() }}, chained with futures.
     * When a future is already complete the loop goes on in place instead of recursing, so the stack never grows.
     */
    public static ClientHandler asyncLineEcho() {
        return (reader, writer) -> new EchoLoop<>(writer, reader::readLine, line -> {
            if (line.length == 0) {
                return false; // EOF
            }
            writer.write(line);
            return true;
        }).run();
    }

    /** Blocking line echo, straight-line code on the handler's (virtual) thread. */
    public static BlockingClientHandler blockingLineEcho() {
        return (reader, writer) -> {
            byte[] line;
            while ((line = await(reader.readLine())).length > 0) {
                writer.write(line);
                await(writer.drain());
            }
        };
    }

    /**
     * Async line echo over the ByteBuf tier: {@code readLineBuf()} hands each line over as a slice of the network
     * buffer and {@code write(ByteBuf)} takes it back to the socket: no copy in either direction.
     */
    public static ClientHandler asyncBufLineEcho() {
        return (reader, writer) -> new EchoLoop<>(writer, ((NettyStreamReader) reader)::readLineBuf,
                buf -> writeBuf((NettyStreamWriter) writer, buf)).run();
    }

    /**
     * Async bytes echo over the ByteBuf tier, with no separator search: whatever arrived, {@code readBuf(64 KiB)},
     * goes straight back with {@code write(ByteBuf)}.
     */
    public static ClientHandler asyncBytesEcho() {
        return (reader, writer) -> new EchoLoop<>(writer, () -> ((NettyStreamReader) reader).readBuf(64 * 1024),
                buf -> writeBuf((NettyStreamWriter) writer, buf)).run();
    }

    /** Hands {@code buf} (ours) to the writer; false, having released it, for EOF's empty buffer. */
    private static boolean writeBuf(NettyStreamWriter writer, ByteBuf buf) {
        if (!buf.isReadable()) {
            buf.release(); // EOF's empty buffer
            return false;
        }
        writer.write(buf); // the writer owns buf from here on
        return true;
    }

    /**
     * One async echo loop: read, write what was read ({@code write} returns false at EOF), drain; until EOF. Goes on
     * in place while reads and drains are already complete, and resumes from their callbacks when one has to wait.
     */
    private static final class EchoLoop<T> {
        private final StreamWriter writer;
        private final Supplier<CompletableFuture<T>> read;
        private final Predicate<T> write;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        EchoLoop(StreamWriter writer, Supplier<CompletableFuture<T>> read, Predicate<T> write) {
            this.writer = writer;
            this.read = read;
            this.write = write;
        }

        /** Echoes until a read or a drain has to wait; then resumes from its callback. */
        CompletableFuture<Void> run() {
            try {
                while (true) {
                    CompletableFuture<T> next = read.get();
                    if (!next.isDone()) {
                        next.whenComplete((item, failure) -> {
                            if (failure != null) {
                                done.completeExceptionally(failure);
                            } else if (echo(item)) {
                                run();
                            }
                        });
                        return done;
                    }
                    if (!echo(next.join())) {
                        return done;
                    }
                }
            } catch (CompletionException | IllegalStateException e) {
                done.completeExceptionally(e.getCause() != null ? e.getCause() : e);
                return done;
            }
        }

        /** Echoes one item; true when the loop may go on at once, false when it ended or waits for a drain. */
        private boolean echo(T item) {
            if (!write.test(item)) {
                done.complete(null);
                return false;
            }
            CompletableFuture<Void> drained = writer.drain();
            if (drained.isDone() && !drained.isCompletedExceptionally()) {
                return true;
            }
            drained.whenComplete((ignored, failure) -> {
                if (failure != null) {
                    done.completeExceptionally(failure);
                } else {
                    run();
                }
            });
            return false;
        }
    }
}
