package dev.streams.netty.reliability;

import dev.streams.IncompleteReadException;
import dev.streams.LimitOverrunException;
import java.util.Arrays;

/**
 * A plain byte-array model of API.md's StreamReader, for the chunking fuzz: no buffers, no futures, no locks. Given
 * the bytes fed so far and whether the stream ended, {@link #attempt} says what a read answers now (consuming what it
 * answers with) or {@code null} when it would have to wait.
 */
final class ReferenceReader {

    enum Kind { READ, EXACTLY, UNTIL, LINE }

    /** A read: its kind, its byte count (read, readExactly) and separators (readUntil; readLine's is "\n"). */
    record Op(Kind kind, int n, byte[][] separators) {
        @Override
        public String toString() {
            switch (kind) {
                case READ:
                    return "read(" + n + ")";
                case EXACTLY:
                    return "readExactly(" + n + ")";
                case LINE:
                    return "readLine()";
                default:
                    StringBuilder sb = new StringBuilder("readUntil(");
                    for (byte[] separator : separators) {
                        sb.append(Outcome.text(separator)).append(' ');
                    }
                    return sb.append(')').toString();
            }
        }
    }

    private final int limit;
    private byte[] buffer = new byte[0];
    private boolean eof;
    private Throwable failure;

    ReferenceReader(int limit) {
        this.limit = limit;
    }

    void feed(byte[] data) {
        byte[] grown = Arrays.copyOf(buffer, buffer.length + data.length);
        System.arraycopy(data, 0, grown, buffer.length, data.length);
        buffer = grown;
    }

    void feedEof() {
        eof = true;
    }

    void fail(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
    }

    boolean drained() {
        return buffer.length == 0;
    }

    /** The answer now ({@code byte[]} or {@code Throwable}), consuming its bytes; {@code null} to wait. */
    Object attempt(Op op) {
        int readable = buffer.length;
        switch (op.kind()) {
            case READ:
                if (op.n() == 0) {
                    return new byte[0];
                }
                if (op.n() < 0) { // everything up to EOF; a failure is not an EOF
                    if (failure != null) {
                        return failure;
                    }
                    return eof ? take(readable) : null;
                }
                if (readable > 0) {
                    return take(Math.min(op.n(), readable));
                }
                if (failure != null) {
                    return failure;
                }
                return eof ? new byte[0] : null;
            case EXACTLY:
                if (op.n() == 0 || readable >= op.n()) {
                    return take(op.n());
                }
                if (failure != null) {
                    return failure;
                }
                return eof ? new IncompleteReadException(take(readable), op.n()) : null;
            default:
                return until(op.kind() == Kind.LINE, op.separators());
        }
    }

    private Object until(boolean line, byte[][] separators) {
        int bestStart = -1;
        int bestEnd = Integer.MAX_VALUE;
        int longest = 0;
        for (byte[] separator : separators) {
            longest = Math.max(longest, separator.length);
            int start = indexOf(separator);
            if (start < 0) {
                continue;
            }
            int end = start + separator.length;
            // The match that ends first; on a tie the shorter separator, which starts later.
            if (end < bestEnd || end == bestEnd && start > bestStart) {
                bestStart = start;
                bestEnd = end;
            }
        }
        if (bestStart >= 0) {
            if (bestStart > limit) {
                if (line) {
                    take(bestEnd);
                }
                return new LimitOverrunException("Separator is found, but chunk is longer than limit", bestStart);
            }
            return take(bestEnd);
        }
        int cannotStart = Math.max(0, buffer.length + 1 - longest);
        if (cannotStart > limit) {
            if (line) {
                take(buffer.length);
            }
            return new LimitOverrunException("Separator is not found, and chunk exceed the limit", cannotStart);
        }
        if (failure != null) {
            return failure;
        }
        if (eof) {
            byte[] partial = take(buffer.length);
            return line ? partial : new IncompleteReadException(partial, -1);
        }
        return null;
    }

    private int indexOf(byte[] separator) {
        outer:
        for (int i = 0; i + separator.length <= buffer.length; i++) {
            for (int j = 0; j < separator.length; j++) {
                if (buffer[i + j] != separator[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private byte[] take(int count) {
        byte[] taken = Arrays.copyOf(buffer, count);
        buffer = Arrays.copyOfRange(buffer, count, buffer.length);
        return taken;
    }

    /** Outcomes as comparable text: the bytes, or the exception with what it carries. */
    static final class Outcome {
        private Outcome() {
        }

        static String of(Object outcome) {
            if (outcome instanceof byte[]) {
                return "bytes \"" + text((byte[]) outcome) + "\"";
            }
            if (outcome instanceof IncompleteReadException) {
                IncompleteReadException e = (IncompleteReadException) outcome;
                return "IncompleteReadException(\"" + text(e.partial()) + "\", " + e.expected() + ") "
                        + e.getMessage();
            }
            if (outcome instanceof LimitOverrunException) {
                LimitOverrunException e = (LimitOverrunException) outcome;
                return "LimitOverrunException(" + e.consumed() + ") " + e.getMessage();
            }
            Throwable t = (Throwable) outcome;
            return t.getClass().getName() + ": " + t.getMessage();
        }

        static String text(byte[] bytes) {
            StringBuilder sb = new StringBuilder();
            for (byte b : bytes) {
                sb.append(b == '\n' ? "\\n" : b == '\r' ? "\\r" : String.valueOf((char) (b & 0xFF)));
            }
            return sb.toString();
        }
    }
}
