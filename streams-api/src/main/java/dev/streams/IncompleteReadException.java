package dev.streams;

import java.io.EOFException;

/**
 * The stream ended before a read could be answered: asyncio's {@code IncompleteReadError}.
 *
 * <p>Thrown (as the failure of a read's future) by {@link StreamReader#readExactly} when EOF arrives before
 * {@code expected} bytes, and by {@link StreamReader#readUntil} when EOF arrives before a separator. The bytes that
 * did arrive were consumed from the stream and are available as {@link #partial()}.
 */
public class IncompleteReadException extends EOFException {
    private static final long serialVersionUID = 1L;

    /** The bytes read before EOF; never null. */
    private final byte[] partial;
    /** The bytes the read wanted, or -1 for a separator search. */
    private final int expected;

    /**
     * An incomplete read; the message says how many bytes came of how many.
     *
     * @param partial  the bytes read before EOF (kept as given, not copied)
     * @param expected the number of bytes the read wanted, or {@code -1} when unknown (a separator search)
     */
    public IncompleteReadException(byte[] partial, int expected) {
        super(partial.length + " bytes read on a total of "
                + (expected < 0 ? "undefined" : Integer.toString(expected)) + " expected bytes");
        this.partial = partial;
        this.expected = expected < 0 ? -1 : expected;
    }

    /**
     * The bytes that arrived before EOF. They were consumed from the stream; the array is not copied.
     *
     * @return the partial bytes, never null
     */
    public byte[] partial() {
        return partial;
    }

    /**
     * The number of bytes the read expected.
     *
     * @return the number, or {@code -1} when the read waited for a separator
     */
    public int expected() {
        return expected;
    }
}
