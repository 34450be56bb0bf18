package dev.streams;

import java.io.IOException;

/**
 * A separator search went past the reader's {@linkplain StreamReader#limit() limit}: asyncio's
 * {@code LimitOverrunError}.
 *
 * <p>{@link #consumed()} is asyncio's value: the index where the separator starts when it was found too far away
 * (message {@code "Separator is found, but chunk is longer than limit"}), or the number of bytes that can no longer
 * begin a separator when it was not found ({@code "Separator is not found, and chunk exceed the limit"}).
 * {@link StreamReader#readUntil} leaves the buffer untouched when it throws this; {@link StreamReader#readLine}
 * discards the oversized line first.
 */
public class LimitOverrunException extends IOException {
    private static final long serialVersionUID = 1L;

    /** asyncio's {@code consumed}: see the class comment. */
    private final int consumed;

    /**
     * An overrun of the limit.
     *
     * @param message  what went past the limit
     * @param consumed the separator's start index when found, else the bytes that can no longer start one
     */
    public LimitOverrunException(String message, int consumed) {
        super(message);
        this.consumed = consumed;
    }

    /**
     * How many bytes the caller would have to consume to get past the overrun (see the class comment).
     *
     * @return asyncio's {@code consumed}
     */
    public int consumed() {
        return consumed;
    }
}
