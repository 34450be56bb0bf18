package dev.streams;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@link StreamReader#asInputStream()}: blocking reads over the reader's futures, for code that takes an
 * {@link InputStream}. Every call that may block refuses on an event-loop thread, as {@link Await} does.
 */
final class ReaderInputStream extends InputStream {

    private final StreamReader reader;
    private volatile boolean closed;

    ReaderInputStream(StreamReader reader) {
        this.reader = reader;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b").length);
        Await.checkMayBlock(); // also when the buffer would answer: the rule must not depend on timing
        checkOpen();
        if (len == 0) {
            return 0;
        }
        return Await.awaitForStream(reader.read(ByteBuffer.wrap(b, off, len)));
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        Await.checkMayBlock();
        checkOpen();
        byte[] skipped = Await.awaitForStream(reader.read((int) Math.min(n, 8192)));
        return skipped.length;
    }

    /** Always 0: how many bytes the reader holds is not known to this view (InputStream's own default). */
    @Override
    public int available() throws IOException {
        checkOpen();
        return 0;
    }

    /** Closes this view only: later reads throw; the connection stays open (close it with its writer). */
    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("Stream closed");
        }
    }

    @Override
    public String toString() {
        return "InputStream[" + reader + "]";
    }
}
