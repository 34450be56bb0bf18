package dev.streams.examples;

import dev.streams.IncompleteReadException;
import dev.streams.LimitOverrunException;
import dev.streams.StreamReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an HTTP/1.1 response from a {@link StreamReader}, with each of the reader's verbs where it fits:
 *
 * <ul>
 *   <li>{@link StreamReader#readLine() readLine} for the status line, the header lines and the trailers. The
 *       reader's {@linkplain StreamReader#limit() limit} is the longest line allowed: past it the read fails with
 *       {@link LimitOverrunException}, reported as a {@link MalformedResponseException}.</li>
 *   <li>{@link StreamReader#readUntil readUntil} for a chunk's size line, which must end with CRLF.</li>
 *   <li>{@link StreamReader#readExactly readExactly} for a {@code Content-Length} body and for chunk data, in pieces
 *       of at most {@link #PIECE} bytes so that a large body never sits in memory: EOF before the end is a
 *       {@link TruncatedBodyException}; the partial bytes still reach the sink. When the connection fails instead
 *       (a reset), the bytes that arrived before the failure are written to the sink before it is thrown, as curl
 *       does.</li>
 *   <li>{@link StreamReader#read read} for a body that lasts until the server closes the connection.</li>
 * </ul>
 *
 * <p>Every wait goes through a {@link Deadline}. The parser is blocking code: call it from a thread that may block
 * (never from an event loop). Server bytes quoted in an exception's message are made {@linkplain Cli#printable
 * printable}: no terminal escape reaches the user's screen through an error message.
 */
public final class HttpResponseParser {

    /** The largest piece of body read at once. */
    static final int PIECE = 64 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final Pattern STATUS_LINE = Pattern.compile("(HTTP/\\d\\.\\d) (\\d{3})(?: (.*))?");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern CHUNK_SIZE = Pattern.compile("([0-9A-Fa-f]{1,15})[ \\t]*(?:;.*)?");

    /** A header field, as received (the name's case kept). */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /** The status line and headers of a response. */
    public record ResponseHead(String version, int status, String reason, List<Header> headers) {
        public ResponseHead {
            headers = List.copyOf(headers);
        }

        /** The first value of header {@code name} (case-insensitive). */
        public Optional<String> header(String name) {
            return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).findFirst();
        }

        /** Every value of header {@code name} (case-insensitive), in order. */
        public List<String> headers(String name) {
            return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).toList();
        }

        /** The head as it is printed by {@code -i}: status line, headers, empty line, CRLF line ends. */
        public String format() {
            StringBuilder text = new StringBuilder(version).append(' ').append(status);
            if (!reason.isEmpty()) {
                text.append(' ').append(reason);
            }
            text.append("\r\n");
            for (Header header : headers) {
                text.append(header.name()).append(": ").append(header.value()).append("\r\n");
            }
            return text.append("\r\n").toString();
        }
    }

    /** How the body's end is found (RFC 9112, section 6.3). */
    public enum Framing {
        /** No body: 1xx, 204, 304. */
        NONE,
        /** {@code Content-Length} bytes. */
        CONTENT_LENGTH,
        /** {@code Transfer-Encoding: chunked}, then trailers. */
        CHUNKED,
        /** Until the server closes the connection. */
        UNTIL_EOF
    }

    /** Where body bytes go. */
    @FunctionalInterface
    public interface BodySink {
        void write(byte[] data, int offset, int length) throws IOException;
    }

    private final StreamReader reader;
    private final Deadline deadline;
    private final int maxHeadBytes;
    /** Bytes of head (every interim response's too) or of trailers read so far, against {@link #maxHeadBytes}. */
    private long headBytes;
    /** Interim (1xx) responses skipped in the current head. */
    private int interim;

    /**
     * @param reader       the connection's reader; its limit is the longest line accepted
     * @param deadline     every wait ends by it
     * @param maxHeadBytes the most bytes the status line and headers (or the trailers) may take together
     */
    public HttpResponseParser(StreamReader reader, Deadline deadline, int maxHeadBytes) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        if (maxHeadBytes <= 0) {
            throw new IllegalArgumentException("maxHeadBytes <= 0: " + maxHeadBytes);
        }
        this.maxHeadBytes = maxHeadBytes;
    }

    /**
     * Reads the status line and headers of the final response, skipping interim (1xx) responses. The interim
     * responses count against the same {@code maxHeadBytes} as the final head, so a server that sends
     * {@code 100 Continue} for ever is stopped by it.
     *
     * @throws MalformedResponseException for a bad status line or header, a line or head over the limits, or EOF in
     *                                    the middle of the head
     * @throws java.io.EOFException       when the server closed the connection without sending anything
     */
    public ResponseHead readHead() throws IOException {
        headBytes = 0;
        interim = 0;
        while (true) {
            byte[] first = line("status line", true);
            if (first == null) {
                throw new java.io.EOFException("the server closed the connection without a response");
            }
            count(first, "header");
            Matcher status = STATUS_LINE.matcher(text(first));
            if (!status.matches()) {
                throw new MalformedResponseException("malformed status line: " + quote(text(first)));
            }
            ResponseHead head = new ResponseHead(status.group(1), Integer.parseInt(status.group(2)),
                    status.group(3) == null ? "" : status.group(3).strip(), fields("header"));
            if (head.status() >= 200 || head.status() == 101) {
                return head;
            }
            // 100 Continue, 103 Early Hints...: an interim response, the real one follows.
            interim++;
        }
    }

    /** How the body of {@code head} (the response to a GET) ends. */
    public static Framing framing(ResponseHead head) throws MalformedResponseException {
        int status = head.status();
        if (status < 200 || status == 204 || status == 304) {
            return Framing.NONE;
        }
        List<String> codings = new ArrayList<>();
        for (String value : head.headers("Transfer-Encoding")) {
            for (String coding : value.split(",")) {
                if (!coding.isBlank()) {
                    codings.add(coding.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        if (!codings.isEmpty()) {
            // Transfer-Encoding wins over Content-Length; without chunked last, the body lasts until EOF.
            return codings.get(codings.size() - 1).equals("chunked") ? Framing.CHUNKED : Framing.UNTIL_EOF;
        }
        return contentLength(head) >= 0 ? Framing.CONTENT_LENGTH : Framing.UNTIL_EOF;
    }

    /**
     * The {@code Content-Length}, or -1 when there is none.
     *
     * @throws MalformedResponseException when it is not a number or several differ
     */
    public static long contentLength(ResponseHead head) throws MalformedResponseException {
        long length = -1;
        for (String value : head.headers("Content-Length")) {
            for (String part : value.split(",")) {
                String digits = part.strip();
                long parsed;
                try {
                    parsed = digits.chars().allMatch(c -> c >= '0' && c <= '9') && !digits.isEmpty()
                            ? Long.parseLong(digits) : -1;
                } catch (NumberFormatException tooBig) {
                    parsed = -1;
                }
                if (parsed < 0) {
                    throw new MalformedResponseException("malformed Content-Length: " + quote(value));
                }
                if (length >= 0 && length != parsed) {
                    throw new MalformedResponseException("conflicting Content-Length values: " + Cli.printable(
                            head.headers("Content-Length").toString()));
                }
                length = parsed;
            }
        }
        return length;
    }

    /**
     * Reads the body of {@code head} into {@code sink}.
     *
     * @return the trailers of a chunked body; empty otherwise
     * @throws TruncatedBodyException    when the connection ends before the body does (the bytes that came were
     *                                    written to the sink)
     * @throws MalformedResponseException for a bad chunk size line or chunk end
     */
    public List<Header> readBody(ResponseHead head, BodySink sink) throws IOException {
        return switch (framing(head)) {
            case NONE -> List.of();
            case CONTENT_LENGTH -> {
                readExactly(contentLength(head), false, sink);
                yield List.of();
            }
            case CHUNKED -> readChunked(sink);
            case UNTIL_EOF -> {
                readUntilEof(sink);
                yield List.of();
            }
        };
    }

    /** {@code n} bytes, in pieces. */
    private void readExactly(long n, boolean chunk, BodySink sink) throws IOException {
        long left = n;
        while (left > 0) {
            int piece = (int) Math.min(left, PIECE);
            byte[] data;
            try {
                data = deadline.await(reader.readExactly(piece));
            } catch (IncompleteReadException e) {
                sink.write(e.partial(), 0, e.partial().length); // what came is kept, as curl and wget do
                long got = n - left + e.partial().length;
                throw new TruncatedBodyException("the connection closed after " + got + " of " + n + " bytes"
                        + (chunk ? " of a chunk" : " of the body"), e);
            } catch (IOException e) {
                // A reset or a timeout: the failed read took nothing, so what arrived before is still buffered.
                writeBuffered(left, sink);
                throw e;
            }
            sink.write(data, 0, data.length);
            left -= data.length;
        }
    }

    /**
     * Writes what the reader already holds, at most {@code max} bytes, without waiting: after a failure its reads
     * first return the buffered bytes, then fail; a read that would wait is cancelled (it loses nothing).
     */
    private void writeBuffered(long max, BodySink sink) throws IOException {
        long left = max;
        while (left > 0) {
            CompletableFuture<byte[]> next = reader.read((int) Math.min(left, PIECE));
            if (!next.isDone()) {
                next.cancel(false);
                return;
            }
            byte[] data;
            try {
                data = next.join();
            } catch (CompletionException | CancellationException failed) {
                return; // the failure itself, once the buffer is empty
            }
            if (data.length == 0) {
                return; // EOF
            }
            sink.write(data, 0, data.length);
            left -= data.length;
        }
    }

    /** Chunks: {@code size[;ext] CRLF data CRLF}, until a size of 0; then trailers and an empty line. */
    private List<Header> readChunked(BodySink sink) throws IOException {
        while (true) {
            byte[] sizeLine;
            try {
                sizeLine = deadline.await(reader.readUntil(CRLF));
            } catch (LimitOverrunException e) {
                throw new MalformedResponseException("chunk size line longer than " + reader.limit() + " bytes", e);
            } catch (IncompleteReadException e) {
                throw eofIn("a chunk size line", e);
            }
            String text = text(sizeLine);
            Matcher size = CHUNK_SIZE.matcher(text);
            if (!size.matches()) {
                throw new MalformedResponseException("malformed chunk size line: " + quote(text));
            }
            long length = Long.parseLong(size.group(1), 16);
            if (length == 0) {
                headBytes = 0;
                interim = 0;
                return fields("trailer");
            }
            readExactly(length, true, sink);
            byte[] end;
            try {
                end = deadline.await(reader.readExactly(2));
            } catch (IncompleteReadException e) {
                throw eofIn("a chunk's CRLF", e);
            }
            if (end[0] != '\r' || end[1] != '\n') {
                throw new MalformedResponseException("chunk data is not followed by CRLF");
            }
        }
    }

    private void readUntilEof(BodySink sink) throws IOException {
        byte[] data;
        while ((data = deadline.await(reader.read(PIECE))).length > 0) {
            sink.write(data, 0, data.length);
        }
    }

    /** Counts {@code line} against {@link #maxHeadBytes}. */
    private void count(byte[] line, String kind) throws MalformedResponseException {
        headBytes += line.length;
        if (headBytes > maxHeadBytes) {
            throw new MalformedResponseException("response " + kind + "s larger than " + maxHeadBytes + " bytes"
                    + (interim > 0 ? " (with " + interim + " interim 1xx responses)" : ""));
        }
    }

    /** Header (or trailer) lines up to the empty line. */
    private List<Header> fields(String kind) throws IOException {
        List<Header> headers = new ArrayList<>();
        while (true) {
            byte[] raw = line(kind + " line", false);
            count(raw, kind);
            String line = text(raw);
            if (line.isEmpty()) {
                return headers;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (headers.isEmpty()) {
                    throw new MalformedResponseException("malformed " + kind + " line: " + quote(line));
                }
                // Obsolete line folding (RFC 9112, 5.2): the line continues the previous value.
                Header last = headers.remove(headers.size() - 1);
                headers.add(new Header(last.name(), last.value() + " " + line.strip()));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !TOKEN.matcher(line.substring(0, colon)).matches()) {
                throw new MalformedResponseException("malformed " + kind + " line: " + quote(line));
            }
            headers.add(new Header(line.substring(0, colon), line.substring(colon + 1).strip()));
        }
    }

    /**
     * One line with its end. Returns null at a clean EOF when {@code eofAllowed}; EOF in the middle of a line, or
     * any EOF when not allowed, is malformed.
     */
    private byte[] line(String what, boolean eofAllowed) throws IOException {
        byte[] line;
        try {
            line = deadline.await(reader.readLine());
        } catch (LimitOverrunException e) {
            throw new MalformedResponseException(what + " longer than " + reader.limit() + " bytes", e);
        }
        if (line.length == 0 && eofAllowed) {
            return null;
        }
        if (line.length == 0 || line[line.length - 1] != '\n') {
            throw new MalformedResponseException("the connection closed in the middle of a " + what);
        }
        return line;
    }

    private static TruncatedBodyException eofIn(String what, IncompleteReadException e) {
        return new TruncatedBodyException("the connection closed in the middle of " + what, e);
    }

    /** A line's text without its CRLF or LF (ISO-8859-1, as HTTP/1.1 defines header bytes). */
    private static String text(byte[] line) {
        int end = line.length;
        if (end > 0 && line[end - 1] == '\n') {
            end--;
            if (end > 0 && line[end - 1] == '\r') {
                end--;
            }
        }
        return new String(line, 0, end, StandardCharsets.ISO_8859_1);
    }

    /** Server text for a message: at most 80 characters, in quotes, control characters escaped. */
    private static String quote(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return "\"" + Cli.printable(shown) + "\"";
    }
}
