package dev.streams;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * {@link StreamWriter#asOutputStream()}: blocking writes over the writer, for code that takes an {@link OutputStream}.
 * A write queues the bytes and then waits while the writer is above its high water mark ({@code drain()}), as a
 * socket's stream blocks while the send buffer is full. Every call that may block ({@code write}, {@code flush})
 * refuses on an event-loop thread, as {@link Await} does; {@code close()} does not block.
 */
final class WriterOutputStream extends OutputStream {

    private final StreamWriter writer;
    private volatile boolean closed;

    WriterOutputStream(StreamWriter writer) {
        this.writer = writer;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b").length);
        Await.checkMayBlock();
        checkOpen();
        try {
            writer.write(b, off, len);
        } catch (IllegalStateException refused) {
            throw new IOException("the writer is closed: " + refused.getMessage(), refused);
        }
        Await.awaitForStream(writer.drain()); // at once while below the high water mark; fails once the peer is gone
    }

    /** Waits for {@code drain()}: fails with the connection's cause once it is lost. */
    @Override
    public void flush() throws IOException {
        Await.checkMayBlock();
        checkOpen();
        Await.awaitForStream(writer.drain());
    }

    /** The writer's {@code close()}: what was written is sent, then the connection closes. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            writer.close();
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("Stream closed");
        }
    }

    @Override
    public String toString() {
        return "OutputStream[" + writer + "]";
    }
}
