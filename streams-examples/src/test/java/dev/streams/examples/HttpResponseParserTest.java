package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.examples.HttpResponseParser.Framing;
import dev.streams.examples.HttpResponseParser.Header;
import dev.streams.examples.HttpResponseParser.ResponseHead;
import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parser on a reader fed by hand from another thread, in pieces of every size from one byte up: every line,
 * separator and chunk gets split somewhere.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpResponseParserTest {

    /** A parsed response. */
    record Parsed(ResponseHead head, String body, List<Header> trailers) {
    }

    /** Feeds {@code response} in pieces of {@code piece} bytes, then EOF, while the parser reads. */
    static Parsed parse(String response, int piece, int limit) throws Exception {
        FeedableStreamReader reader = NettyStreams.newReader(limit);
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        Thread feeder = new Thread(() -> {
            for (int i = 0; i < bytes.length; i += piece) {
                reader.feedData(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + piece)));
            }
            reader.feedEof();
        }, "feeder");
        feeder.start();
        try {
            HttpResponseParser parser = new HttpResponseParser(reader, Deadline.after(Duration.ofSeconds(10)), 4096);
            ResponseHead head = parser.readHead();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            List<Header> trailers = parser.readBody(head, body::write);
            return new Parsed(head, body.toString(StandardCharsets.ISO_8859_1), trailers);
        } finally {
            feeder.join(); // every byte fed and EOF set: nothing is left in a network buffer
        }
    }

    static Parsed parse(String response, int piece) throws Exception {
        return parse(response, piece, 1024);
    }

    @ParameterizedTest(name = "pieces of {0}")
    @ValueSource(ints = {1, 2, 3, 7, 1 << 20})
    void contentLengthBody(int piece) throws Exception {
        Parsed parsed = parse(
                "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A:  spaced value  \r\n\r\nhello world", piece);
        assertThat(parsed.head().status()).isEqualTo(200);
        assertThat(parsed.head().reason()).isEqualTo("OK");
        assertThat(parsed.head().header("x-a")).contains("spaced value");
        assertThat(HttpResponseParser.framing(parsed.head())).isEqualTo(Framing.CONTENT_LENGTH);
        assertThat(parsed.body()).isEqualTo("hello world");
    }

    @ParameterizedTest(name = "pieces of {0}")
    @ValueSource(ints = {1, 2, 3, 7, 1 << 20})
    void chunkedBodyWithExtensionsAndTrailers(int piece) throws Exception {
        Parsed parsed = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                + "0\r\nExpires: never\r\nX-Sum: 31\r\n\r\n",
                piece);
        assertThat(parsed.body()).isEqualTo("helloabcdefghijklmnopqrstuvwxyz");
        assertThat(parsed.trailers()).containsExactly(new Header("Expires", "never"), new Header("X-Sum", "31"));
    }

    @ParameterizedTest(name = "pieces of {0}")
    @ValueSource(ints = {1, 5, 1 << 20})
    void interimResponsesAreSkipped(int piece) throws Exception {
        Parsed parsed = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", piece);
        assertThat(parsed.head().status()).isEqualTo(200);
        assertThat(parsed.body()).isEqualTo("ok");
    }

    @Test
    void transferEncodingWinsOverContentLength() throws Exception {
        Parsed parsed = parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n", 3);
        assertThat(parsed.body()).isEqualTo("ok");
    }

    @Test
    void noBodyFor204And304() throws Exception {
        assertThat(parse("HTTP/1.1 204 No Content\r\n\r\n", 1).body()).isEmpty();
        Parsed notModified = parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", 1);
        assertThat(HttpResponseParser.framing(notModified.head())).isEqualTo(Framing.NONE);
    }

    @Test
    void bodyUntilEofWithBareLineFeedsAndNoReason() throws Exception {
        Parsed parsed = parse("HTTP/1.0 200\nServer: old\n\nuntil the end", 2);
        assertThat(parsed.head().version()).isEqualTo("HTTP/1.0");
        assertThat(parsed.head().reason()).isEmpty();
        assertThat(HttpResponseParser.framing(parsed.head())).isEqualTo(Framing.UNTIL_EOF);
        assertThat(parsed.body()).isEqualTo("until the end");
    }

    @Test
    void foldedHeaderLinesAreJoined() throws Exception {
        Parsed parsed = parse("HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\nContent-Length: 0\r\n\r\n", 1);
        assertThat(parsed.head().header("X-Long")).contains("one two");
    }

    @Test
    void formatIsTheHeadAsReceived() throws Exception {
        Parsed parsed = parse("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nA: b\r\n\r\n", 4);
        assertThat(parsed.head().format()).isEqualTo("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nA: b\r\n\r\n");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab|conflicting Content-Length",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n|malformed Content-Length",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n|malformed chunk size line: \"zz\"",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n|chunk data is not followed by CRLF",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n|malformed header line: \"no colon here\"",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n|malformed header line",
        "HTTP/2 200\r\n\r\n|malformed status line",
        "HTTP/1.1 200 OK\r\nContent-Le|the connection closed in the middle of a header line",
        "HTTP/1.1 200 OK\r\nX-Long: 0123456789012345678901234567890123456789\r\n\r\n|header line longer than 32 bytes",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n000000000000000000000000000000000000001\r\n"
            + "|chunk size line longer than 32 bytes"})
    void malformedResponses(String testCase) {
        String[] parts = testCase.split("\\|");
        for (int piece : new int[] {1, 1 << 20}) {
            assertThatThrownBy(() -> parse(parts[0], piece, 32))
                    .isInstanceOf(MalformedResponseException.class)
                    .hasMessageContaining(parts[1]);
        }
    }

    @Test
    void truncatedBodyKeepsWhatCame() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        FeedableStreamReader reader = NettyStreams.newReader();
        reader.feedData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.ISO_8859_1));
        reader.feedEof();
        HttpResponseParser parser = new HttpResponseParser(reader, Deadline.NONE, 4096);
        assertThatThrownBy(() -> parser.readBody(parser.readHead(), sink::write))
                .isInstanceOf(TruncatedBodyException.class)
                .hasMessage("the connection closed after 3 of 10 bytes of the body");
        assertThat(sink.toString(StandardCharsets.ISO_8859_1)).isEqualTo("abc");
    }

    @Test
    void aBodyLargerThanOnePieceIsReadInPieces() throws Exception {
        String body = "0123456789".repeat(HttpResponseParser.PIECE / 10 * 3 + 7);
        Parsed parsed = parse("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body, 40_000);
        assertThat(parsed.body()).isEqualTo(body);
    }

    @Test
    void deadlineEndsAWaitingRead() {
        FeedableStreamReader reader = NettyStreams.newReader();
        reader.feedData("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1));
        HttpResponseParser parser = new HttpResponseParser(reader, Deadline.after(Duration.ofMillis(200)), 4096);
        assertThatThrownBy(parser::readHead).isInstanceOf(java.net.SocketTimeoutException.class)
                .hasMessage("timed out: the --max-time of 0.200 s is over");
        reader.feedEof();
    }
}
