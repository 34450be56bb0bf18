package dev.streams.netty;

import dev.streams.StreamReader;
import io.netty.buffer.ByteBuf;

/**
 * A {@link StreamReader} that is fed by hand: asyncio's {@code feed_data}, {@code feed_eof} and
 * {@code set_exception}. {@link NettyStreams#newReader(int)} makes one without a channel (for tests and for protocols
 * parsed from memory). The readers of connections are fed the same way by their channel handler, but are not
 * {@code FeedableStreamReader}s: only {@code newReader} returns a reader that user code can feed.
 */
public interface FeedableStreamReader extends NettyStreamReader {

    /**
     * Appends bytes. <b>Ownership of {@code data} passes to the reader</b>, which releases it once its bytes are read
     * (or copies them to the heap at EOF or failure and releases it then), and which releases it at once when this
     * method throws. Empty data is released and ignored. A reader made by {@code newReader} has no channel to pause,
     * so it buffers whatever it is fed, past its limit too; only its separator searches are bounded by the limit.
     *
     * @param data the bytes to append, from its reader index to its writer index; the reader's from this call on
     * @throws NullPointerException  when {@code data} is null
     * @throws IllegalStateException after {@link #feedEof()}, even for empty data
     */
    void feedData(ByteBuf data);

    /**
     * Appends a copy of {@code data}: the caller may reuse the array once this returns.
     *
     * @param data the bytes to append; copied
     * @throws NullPointerException  when {@code data} is null
     * @throws IllegalStateException after {@link #feedEof()}, even for empty data
     */
    void feedData(byte[] data);

    /** Marks the end of the stream: waiting reads are answered from the buffer, then at EOF. Idempotent. */
    void feedEof();

    /**
     * Fails the stream: reads go on returning the buffered bytes, and fail with {@code cause} once those cannot
     * answer them. The first cause sticks; later calls are ignored.
     *
     * @param cause what the reads that cannot be answered from the buffer fail with
     * @throws NullPointerException when {@code cause} is null
     */
    void setException(Throwable cause);
}
