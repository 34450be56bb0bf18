package dev.streams.bench.harness;

import static dev.streams.Await.await;

import dev.streams.BlockingClientHandler;
import dev.streams.ClientHandler;
import dev.streams.StreamReader;
import dev.streams.StreamWriter;
import dev.streams.netty.NettyStreamReader;
import dev.streams.netty.NettyStreamWriter;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
        return (reader, writer) -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            new AsyncEcho(reader, writer, done).run();
            return done;
        };
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
        return (reader, writer) -> new BufEcho((NettyStreamWriter) writer,
                ((NettyStreamReader) reader)::readLineBuf).run();
    }

    /**
     * Async bytes echo over the ByteBuf tier, with no separator search: whatever arrived, {@code readBuf(64 KiB)},
     * goes straight back with {@code write(ByteBuf)}.
     */
    public static ClientHandler asyncBytesEcho() {
        return (reader, writer) -> new BufEcho((NettyStreamWriter) writer,
                () -> ((NettyStreamReader) reader).readBuf(64 * 1024)).run();
    }

    /** One ByteBuf echo loop: read a buffer, hand it to the writer, drain, until an empty buffer (EOF). */
    private static final class BufEcho {
        private final NettyStreamWriter writer;
        private final Supplier<CompletableFuture<ByteBuf>> read;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        BufEcho(NettyStreamWriter writer, Supplier<CompletableFuture<ByteBuf>> read) {
            this.writer = writer;
            this.read = read;
        }

        /** Echoes until a read or a drain has to wait; then resumes from its callback. */
        CompletableFuture<Void> run() {
            try {
                while (true) {
                    CompletableFuture<ByteBuf> next = read.get();
                    if (!next.isDone()) {
                        next.whenComplete((buf, failure) -> {
                            if (failure != null) {
                                done.completeExceptionally(failure);
                            } else if (echo(buf)) {
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

        /** Hands {@code buf} (ours) to the writer; true when the loop may go on at once. */
        private boolean echo(ByteBuf buf) {
            if (!buf.isReadable()) {
                buf.release(); // EOF's empty buffer
                done.complete(null);
                return false;
            }
            writer.write(buf); // the writer owns buf from here on
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

    /** The state of one async echo loop. */
    private static final class AsyncEcho {
        private final StreamReader reader;
        private final StreamWriter writer;
        private final CompletableFuture<Void> done;

        AsyncEcho(StreamReader reader, StreamWriter writer, CompletableFuture<Void> done) {
            this.reader = reader;
            this.writer = writer;
            this.done = done;
        }

        /** Reads and echoes lines until a read or a drain has to wait; then resumes from its callback. */
        void run() {
            try {
                while (true) {
                    CompletableFuture<byte[]> read = reader.readLine();
                    if (!read.isDone()) {
                        read.whenComplete((line, failure) -> {
                            if (failure != null) {
                                done.completeExceptionally(failure);
                            } else if (echo(line)) {
                                run();
                            }
                        });
                        return;
                    }
                    if (!echo(read.join())) {
                        return;
                    }
                }
            } catch (CompletionException | IllegalStateException e) {
                done.completeExceptionally(e.getCause() != null ? e.getCause() : e);
            }
        }

        /** Echoes one line; true when the loop may go on at once, false when it ended or waits for a drain. */
        boolean echo(byte[] line) {
            if (line.length == 0) {
                done.complete(null);
                return false;
            }
            writer.write(line);
            CompletableFuture<Void> drained = writer.drain();
            if (drained.isDone()) {
                if (drained.isCompletedExceptionally()) {
                    drained.whenComplete((ignored, failure) -> done.completeExceptionally(failure));
                    return false;
                }
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
