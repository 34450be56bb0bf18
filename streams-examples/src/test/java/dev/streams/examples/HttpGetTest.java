package dev.streams.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http-get} against the JDK's {@code com.sun.net.httpserver} (well-formed responses) and against
 * {@link RawServer} (responses cut, split or malformed on purpose).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpGetTest {

    static final int BIG = 20 * 1024 * 1024;
    static byte[] big;
    static HttpServer server;
    static ExecutorService executor;
    static String base;

    /** What a run of the command gave. */
    record Result(int code, byte[] out, String outText, String err) {
    }

    static Result get(String... args) {
        Capture out = new Capture();
        Capture err = new Capture();
        int code = HttpGet.run(args, out.stream, err.stream);
        return new Result(code, out.bytes(), out.text(), err.text());
    }

    @BeforeAll
    static void startServer() throws IOException {
        big = new byte[BIG];
        new Random(42).nextBytes(big);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.createContext("/hello", ex -> send(ex, 200, "hello, world\n".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/headers", ex -> {
            StringBuilder seen = new StringBuilder();
            for (String name : List.of("Host", "User-Agent", "Accept-Encoding", "Connection")) {
                seen.append(name).append('=').append(ex.getRequestHeaders().getFirst(name)).append('\n');
            }
            seen.append("target=").append(ex.getRequestURI()).append('\n');
            send(ex, 200, seen.toString().getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/chunked", ex -> {
            ex.sendResponseHeaders(200, 0); // 0: chunked
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 1; i <= 50; i++) {
                    out.write(("line " + i + "\n").repeat(i).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        });
        server.createContext("/big", ex -> {
            ex.sendResponseHeaders(200, BIG);
            try (OutputStream out = ex.getResponseBody()) {
                for (int off = 0; off < BIG; off += 100_000) {
                    out.write(big, off, Math.min(100_000, BIG - off));
                }
            }
        });
        server.createContext("/r1", ex -> redirect(ex, 302, "/r2"));
        server.createContext("/r2", ex -> redirect(ex, 301, base + "/dir/r3"));
        server.createContext("/dir/r3", ex -> redirect(ex, 307, "final?x=1"));
        server.createContext("/dir/final", ex -> send(ex, 200,
                ("done " + ex.getRequestURI().getQuery()).getBytes(StandardCharsets.UTF_8)));
        server.createContext("/loop", ex -> redirect(ex, 302, "/loop"));
        server.createContext("/missing", ex -> send(ex, 404, "no such page\n".getBytes(StandardCharsets.UTF_8)));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
        executor.shutdownNow();
    }

    static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    static void redirect(HttpExchange ex, int status, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        send(ex, status, ("moved to " + location).getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------------------------ com.sun.net.httpserver

    @Test
    void contentLengthBody() {
        Result result = get(base + "/hello");
        assertThat(result.err()).isEmpty();
        assertThat(result.code()).isZero();
        assertThat(result.outText()).isEqualTo("hello, world\n");
    }

    @Test
    void wiretapPrintsBothDirectionsToStderr() {
        Result result = get("--wiretap", base + "/hello");
        assertThat(result.code()).isZero();
        assertThat(result.outText()).isEqualTo("hello, world\n");
        // Netty's hex dump: 16 bytes a row, their text on the right (the request line's first 16 bytes)
        assertThat(result.err()).contains("WRITE", "|GET /hello HTTP/|", "READ", "|HTTP/1.1 200 OK.");
    }

    @Test
    void requestHasTheHeadersTheIssueAsksFor() {
        Result result = get(base + "/headers?a=b%20c");
        assertThat(result.code()).isZero();
        assertThat(result.outText()).isEqualTo("Host=127.0.0.1:" + server.getAddress().getPort() + "\n"
                + "User-Agent=" + HttpGet.USER_AGENT + "\nAccept-Encoding=identity\nConnection=close\n"
                + "target=/headers?a=b%20c\n");
    }

    @Test
    void includePrintsStatusLineAndHeaders() {
        Result result = get("-i", base + "/hello");
        assertThat(result.code()).isZero();
        assertThat(result.outText()).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nContent-length: 13\r\n")
                .endsWith("\r\n\r\nhello, world\n");
    }

    @Test
    void chunkedBody() {
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 50; i++) {
            expected.append(("line " + i + "\n").repeat(i));
        }
        Result result = get(base + "/chunked");
        assertThat(result.err()).isEmpty();
        assertThat(result.code()).isZero();
        assertThat(result.outText()).isEqualTo(expected.toString());
    }

    @Test
    void bigBodyToAFileWithProgress(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.bin");
        Result result = get("-o", file.toString(), "--progress", base + "/big");
        assertThat(result.code()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(Files.size(file)).isEqualTo(BIG);
        assertThat(sha256(Files.readAllBytes(file))).isEqualTo(sha256(big));
        // The last redraw: a full bar, 100 %, both sizes, a speed; then a new line.
        assertThat(result.err()).containsPattern("\\[#{20}\\] 100%  20\\.0 MiB / 20\\.0 MiB  [0-9.]+ [KMG]?i?B/s")
                .endsWith("\n");
    }

    @Test
    void bigBodyToStdoutIsRawBytes() throws Exception {
        Result result = get(base + "/big");
        assertThat(result.code()).isZero();
        assertThat(result.out()).hasSize(BIG);
        assertThat(sha256(result.out())).isEqualTo(sha256(big));
        assertThat(result.err()).isEmpty(); // no progress bar: not a terminal, no --progress
    }

    @Test
    void followsARedirectChain() {
        Result result = get("-L", base + "/r1");
        assertThat(result.err()).isEmpty();
        assertThat(result.code()).isZero();
        assertThat(result.outText()).isEqualTo("done x=1");

        Result heads = get("-L", "-i", base + "/r1");
        // (The JDK's server names 302 "Temporary Redirect" and gives 307 no reason phrase.)
        assertThat(heads.outText()).containsSubsequence("HTTP/1.1 302", "Location: /r2\r\n",
                "HTTP/1.1 301 Moved Permanently", "Location: " + base + "/dir/r3\r\n", "HTTP/1.1 307\r\n",
                "HTTP/1.1 200 OK", "done x=1");
    }

    @Test
    void withoutLocationOptionARedirectIsTheAnswer() {
        Result result = get("-i", base + "/r1");
        assertThat(result.code()).isZero();
        assertThat(result.outText()).startsWith("HTTP/1.1 302 ").contains("Location: /r2")
                .endsWith("moved to /r2");
    }

    @Test
    void tooManyRedirectsIsAProtocolError() {
        Result result = get("-L", base + "/loop");
        assertThat(result.code()).isEqualTo(HttpGet.EXIT_PROTOCOL);
        assertThat(result.err().strip()).startsWith("http-get: stopped after 10 redirects");
    }

    @Test
    void notFoundIsExitCodeEight() {
        Result result = get(base + "/missing");
        assertThat(result.code()).isEqualTo(HttpGet.EXIT_HTTP_ERROR);
        assertThat(result.err().strip()).isEqualTo("http-get: the server answered 404 Not Found");
        assertThat(result.outText()).isEqualTo("no such page\n"); // like curl, the error page is still written
    }

    @Test
    void connectionRefusedIsANetworkError() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Result result = get("http://127.0.0.1:" + port + "/");
        assertThat(result.code()).isEqualTo(HttpGet.EXIT_NETWORK);
        assertThat(result.err().strip())
                .isEqualTo("http-get: cannot connect to 127.0.0.1:" + port + ": Connection refused");
        assertThat(result.err().lines()).hasSize(1);
    }

    @Test
    void unwritableOutputFileIsExitCodeThree(@TempDir Path dir) {
        Result result = get("-o", dir.toString(), base + "/hello"); // a directory: opening it for writing fails
        assertThat(result.code()).isEqualTo(HttpGet.EXIT_FILE);
        assertThat(result.err()).startsWith("http-get: cannot write ");
    }

    // ------------------------------------------------------------------------------------ raw socket server

    @Test
    void bodyUntilEof() throws Exception {
        try (RawServer raw = new RawServer(RawServer.pieces("HTTP/1.0 200 OK\r\nServer: raw\r\n\r\n",
                "no length, ", "the body ends ", "when the connection does"))) {
            Result result = get(raw.url("/eof"));
            assertThat(result.err()).isEmpty();
            assertThat(result.code()).isZero();
            assertThat(result.outText()).isEqualTo("no length, the body ends when the connection does");
            assertThat(raw.request.get()).startsWith("GET /eof HTTP/1.1\r\n")
                    .contains("\r\nHost: 127.0.0.1:").contains("\r\nConnection: close\r\n");
        }
    }

    @Test
    void chunkedBodySplitAtAwkwardPlaces() throws Exception {
        try (RawServer raw = new RawServer(RawServer.pieces(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r", "\n\r", "\n", "5", "\r", "\nhel", "lo\r",
                "\n1", "0;ext=\"x\"\r\n", "0123456789abcdef", "\r", "\n", "0\r\nX-Trailer: yes\r", "\n\r", "\n"))) {
            Result result = get("-i", raw.url("/"));
            assertThat(result.err()).isEmpty();
            assertThat(result.code()).isZero();
            assertThat(result.outText()).isEqualTo(
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nhello0123456789abcdefX-Trailer: yes\r\n");
        }
    }

    @Test
    void truncatedContentLengthBodyIsAnError() throws Exception {
        try (RawServer raw = new RawServer(RawServer.pieces("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
                "x".repeat(40)))) {
            Result result = get(raw.url("/"));
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_NETWORK);
            assertThat(result.err().strip())
                    .isEqualTo("http-get: the connection closed after 40 of 100 bytes of the body");
            assertThat(result.outText()).isEqualTo("x".repeat(40)); // what came is kept
        }
    }

    @Test
    void truncatedChunkedBodyIsAnError() throws Exception {
        try (RawServer raw = new RawServer(RawServer.pieces("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                "a\r\n0123456789\r\n", "10\r\nabc"))) {
            Result result = get(raw.url("/"));
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_NETWORK);
            assertThat(result.err().strip())
                    .isEqualTo("http-get: the connection closed after 3 of 16 bytes of a chunk");
            assertThat(result.outText()).isEqualTo("0123456789abc");
        }
    }

    @Test
    void oversizedHeaderLineIsAnError() throws Exception {
        try (RawServer raw = new RawServer((out, server) -> {
            try {
                out.write(("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException resetByTheClient) {
                // expected: the client gives up in the middle
            }
        })) {
            Result result = get(raw.url("/"));
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_PROTOCOL);
            assertThat(result.err().strip())
                    .isEqualTo("http-get: malformed response: header line longer than 8192 bytes");
        }
    }

    @Test
    void headOverTheTotalLimitIsAnError() throws Exception {
        List<String> pieces = new ArrayList<>(List.of("HTTP/1.1 200 OK\r\n"));
        for (int i = 0; i < 10; i++) {
            pieces.add("X-Header-" + i + ": " + "v".repeat(1000) + "\r\n");
        }
        pieces.add("\r\n");
        try (RawServer raw = new RawServer(RawServer.pieces(pieces.toArray(String[]::new)))) {
            Result result = get("--max-head", "4096", raw.url("/"));
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_PROTOCOL);
            assertThat(result.err().strip())
                    .isEqualTo("http-get: malformed response: response headers larger than 4096 bytes");
        }
    }

    @Test
    void malformedStatusLineIsAnError() throws Exception {
        try (RawServer raw = new RawServer(RawServer.pieces("HTTP/1.1 OK\r\n\r\n"))) {
            Result result = get(raw.url("/"));
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_PROTOCOL);
            assertThat(result.err().strip())
                    .isEqualTo("http-get: malformed response: malformed status line: \"HTTP/1.1 OK\"");
        }
    }

    @Test
    void serverThatNeverAnswersTimesOut() throws Exception {
        try (RawServer raw = new RawServer((out, server) -> server.closed.await())) {
            long start = System.nanoTime();
            Result result = get("--max-time", "0.5", raw.url("/"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_NETWORK);
            assertThat(result.err().strip()).isEqualTo("http-get: timed out: the --max-time of 0.500 s is over");
            assertThat(millis).as("not before the --max-time").isGreaterThanOrEqualTo(400L); // a hang: @Timeout
        }
    }

    @Test
    void serverThatClosesWithoutAnswerIsANetworkError() throws Exception {
        try (RawServer raw = new RawServer(RawServer.pieces())) {
            Result result = get(raw.url("/"));
            assertThat(result.code()).isEqualTo(HttpGet.EXIT_NETWORK);
            assertThat(result.err().strip())
                    .isEqualTo("http-get: the server closed the connection without a response");
        }
    }

    static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
