package dev.streams.examples;

import java.io.EOFException;

/** The connection ended before the response body did: fewer bytes than {@code Content-Length}, or a cut chunk. */
public final class TruncatedBodyException extends EOFException {
    private static final long serialVersionUID = 1L;

    public TruncatedBodyException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
