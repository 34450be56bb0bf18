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
     * method throws.
     *
     * @throws NullPointerException  when {@code data} is null
     * @throws IllegalStateException after {@link #feedEof()}, even for empty data
     */
    void feedData(ByteBuf data);

    /**
     * Appends a copy of {@code data}.
     *
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
     * @throws NullPointerException when {@code cause} is null
     */
    void setException(Throwable cause);
}
