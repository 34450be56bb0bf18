package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code http-get} against servers that misbehave as curl and wget users meet them: a reset in the middle of the
 * body, interim responses without end, and terminal escapes in what the server sends.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpGetHostileServerTest {

    /** Characters a terminal acts on: C0 controls but the line ends, DEL and C1 controls. */
    static final String CONTROL = "[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f]";

    @Test
    void bytesThatArrivedBeforeAResetAreWrittenBeforeTheError() throws Exception {
        byte[] body = "0123456789".repeat(500).getBytes(StandardCharsets.US_ASCII); // 5,000 of 100,000 bytes
        try (RawServer raw = new RawServer((out, server) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            server.reset();
        })) {
            HttpGetTest.Result result = HttpGetTest.get(raw.url("/"));
            assertThat(result.out()).as("the bytes before the reset").isEqualTo(body);
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_NETWORK);
            assertThat(result.err().lines()).hasSize(1);
            assertThat(result.err()).startsWith("http-get: ").containsIgnoringCase("reset");
        }
    }

    @Test
    void bytesOfAChunkThatArrivedBeforeAResetAreWrittenToo() throws Exception {
        try (RawServer raw = new RawServer((out, server) -> {
            out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                    + "2710\r\n" + "x".repeat(3000)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            server.reset();
        })) {
            HttpGetTest.Result result = HttpGetTest.get(raw.url("/"));
            assertThat(result.outText()).isEqualTo("hello" + "x".repeat(3000));
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_NETWORK);
        }
    }

    @Test
    void interimResponsesWithoutEndAreStoppedByTheHeadBudget() throws Exception {
        byte[] interim = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (RawServer raw = new RawServer((out, server) -> {
            try {
                while (server.closed.getCount() > 0) {
                    out.write(interim);
                    out.flush();
                }
            } catch (IOException clientGaveUp) {
                // expected: the client stops reading and closes
            }
        })) {
            // --max-time only bounds the test on the old code, where the interim responses went on for ever.
            HttpGetTest.Result result = HttpGetTest.get("--max-head", "4096", "--max-time", "20", raw.url("/"));
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_PROTOCOL);
            assertThat(result.err().strip()).matches("http-get: malformed response: response headers larger than "
                    + "4096 bytes \\(with \\d+ interim 1xx responses\\)");
        }
    }

    @Test
    void aFewInterimResponsesAreStillSkipped() throws Exception {
        try (RawServer raw = new RawServer(RawServer.pieces("HTTP/1.1 100 Continue\r\n\r\n",
                "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))) {
            HttpGetTest.Result result = HttpGetTest.get(raw.url("/"));
            assertThat(result.err()).isEmpty();
            assertThat(result.code()).isZero();
            assertThat(result.outText()).isEqualTo("ok");
        }
    }

    @Test
    void escapesInAReasonPhraseAreNotPrinted() throws Exception {
        try (RawServer raw = new RawServer(RawServer.pieces(
                "HTTP/1.1 404 Not\u001b]0;owned\u0007 \u009b2JFound\r\nContent-Length: 0\r\n\r\n"))) {
            HttpGetTest.Result result = HttpGetTest.get(raw.url("/"));
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_HTTP_ERROR);
            assertThat(result.err()).isEqualTo("http-get: the server answered 404 Not\\x1b]0;owned\\x07 \\x9b2JFound\n");
        }
    }

    @Test
    void escapesInAMalformedHeaderAreNotPrinted() throws Exception {
        try (RawServer raw = new RawServer(RawServer.pieces("HTTP/1.1 200 OK\r\nX\u001b[2J\u001b[H: y\r\n\r\n"))) {
            HttpGetTest.Result result = HttpGetTest.get(raw.url("/"));
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_PROTOCOL);
            assertThat(result.err()).doesNotContainPattern(CONTROL)
                    .isEqualTo("http-get: malformed response: malformed header line: \"X\\x1b[2J\\x1b[H: y\"\n");
        }
    }

    @Test
    void escapesInAMalformedStatusLineAreNotPrinted() throws Exception {
        try (RawServer raw = new RawServer(RawServer.pieces("\u001b[31mHTTP/1.1\u0007 200\r\n\r\n"))) {
            HttpGetTest.Result result = HttpGetTest.get(raw.url("/"));
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_PROTOCOL);
            assertThat(result.err()).doesNotContainPattern(CONTROL).contains("\\x1b[31mHTTP/1.1\\x07 200");
        }
    }
}
