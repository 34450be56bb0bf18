package dev.streams.examples;

import java.io.IOException;

/** The server's response breaks HTTP/1.1: a bad status line, header or chunk, or a head over the size limits. */
public class MalformedResponseException extends IOException {
    private static final long serialVersionUID = 1L;

    public MalformedResponseException(String message) {
        super(message);
    }

    public MalformedResponseException(String message, Throwable cause) {
        super(message, cause);
    }
}
