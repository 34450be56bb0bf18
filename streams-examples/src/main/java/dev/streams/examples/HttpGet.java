package dev.streams.examples;

import dev.streams.Await;
import dev.streams.StreamConnection;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ProxyOptions;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code http-get}: an HTTP/1.1 GET client on the streams API, in blocking style. The response is read by
 * {@link HttpResponseParser}; this class handles the command line, the connection (plain, or TLS for
 * {@code https://}), redirects, the output and the exit codes, which follow wget's:
 *
 * <table>
 *   <caption>Exit codes</caption>
 *   <tr><td>0</td><td>a 2xx or 3xx response, body written</td></tr>
 *   <tr><td>1</td><td>an unexpected failure</td></tr>
 *   <tr><td>2</td><td>a bad command line or URL</td></tr>
 *   <tr><td>3</td><td>the output file (or stdout, when it is closed) could not be written</td></tr>
 *   <tr><td>4</td><td>a network failure: connection refused or reset, timeout, the connection closed early</td></tr>
 *   <tr><td>5</td><td>a TLS failure (handshake, certificate, hostname)</td></tr>
 *   <tr><td>7</td><td>a protocol error: malformed response, a head over the limits, too many redirects</td></tr>
 *   <tr><td>8</td><td>the server answered with a status of 400 or more</td></tr>
 * </table>
 */
public final class HttpGet {

    static final int EXIT_FAILURE = 1;
    static final int EXIT_FILE = 3;
    static final int EXIT_NETWORK = 4;
    static final int EXIT_TLS = 5;
    static final int EXIT_PROTOCOL = 7;
    static final int EXIT_HTTP_ERROR = 8;

    static final int MAX_REDIRECTS = 10;
    static final int DEFAULT_MAX_LINE = 8 * 1024;
    static final int DEFAULT_MAX_HEAD = 64 * 1024;
    static final String USER_AGENT = "streams-http-get/0.1";
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    static final String USAGE = String.join("\n",
            "Usage: http-get [options] URL",
            "",
            "Sends GET URL over HTTP/1.1 and writes the body to stdout as raw bytes.",
            "",
            "  -i, --include            print the status line and headers (of every response) to stdout",
            "  -L, --location           follow redirects (301, 302, 303, 307, 308), at most " + MAX_REDIRECTS,
            "  -o, --output FILE        write the body to FILE, with a progress bar on stderr when it is a",
            "                           terminal",
            "      --progress           show the progress bar in any case",
            "      --cacert FILE        also trust the certificate(s) in FILE (PEM) for https://",
            "  -k, --insecure           do not check the server's certificate or name (prints a warning)",
            "      --connect-timeout S  the longest a connection attempt may take, in seconds (default 30)",
            "      --max-time S         the longest the whole transfer may take, in seconds (default none)",
            "      --max-line BYTES     the longest status, header or chunk-size line (default "
                    + DEFAULT_MAX_LINE + ")",
            "      --max-head BYTES     the most bytes of status line and headers (default " + DEFAULT_MAX_HEAD + ")",
            "  -x, --proxy URI          go through a proxy: socks5://[user:pass@]host:port (the proxy resolves",
            "                           the host name, as curl's socks5h://) or http://[user:pass@]host:port",
            "                           (a CONNECT tunnel, for http:// URLs too, as curl's --proxytunnel)",
            "      --wiretap            print every byte sent and received (hex dumps; the plaintext under",
            "                           TLS) to stderr",
            "  -h, --help               this help",
            "",
            Cli.ENCODING_NOTE,
            "",
            "Exit codes (as wget's): 0 success (2xx, 3xx), 2 bad arguments, 3 output file error,",
            "4 network error or timeout, 5 TLS error, 7 malformed response, 8 HTTP status >= 400.");

    private HttpGet() {
    }

    /** The parsed command line. */
    static final class Options {
        URI url;
        boolean include;
        boolean follow;
        Path output;
        boolean progress;
        Path cacert;
        /** The certificates to trust for https: the JDK's and those of {@code --cacert}; null without it. */
        List<X509Certificate> trusted;
        boolean insecure;
        Duration connectTimeout = ConnectOptions.DEFAULT_CONNECT_TIMEOUT;
        Duration maxTime;
        int maxLine = DEFAULT_MAX_LINE;
        int maxHead = DEFAULT_MAX_HEAD;
        ProxyOptions proxy;
        boolean wiretap;

        static Options parse(String[] args) throws Cli.UsageException {
            Options options = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                Cli.checkHelp(arg);
                switch (arg) {
                    case "-i", "--include" -> options.include = true;
                    case "-L", "--location" -> options.follow = true;
                    case "-o", "--output" -> options.output = Cli.outputFile(arg, Cli.value(args, i++));
                    case "--progress" -> options.progress = true;
                    case "--cacert" -> options.cacert = Cli.existingFile(arg, Cli.value(args, i++));
                    case "-k", "--insecure" -> options.insecure = true;
                    case "--connect-timeout" -> options.connectTimeout = Cli.connectTimeout(arg, Cli.value(args, i++));
                    case "--max-time" -> options.maxTime = Cli.seconds(arg, Cli.value(args, i++));
                    case "--max-line" -> options.maxLine = Cli.positive(arg, Cli.value(args, i++));
                    case "--max-head" -> options.maxHead = Cli.positive(arg, Cli.value(args, i++));
                    case "-x", "--proxy" -> options.proxy = Cli.proxy(arg, Cli.value(args, i++));
                    case "--wiretap" -> options.wiretap = true;
                    default -> {
                        if (arg.startsWith("-") && arg.length() > 1) {
                            throw new Cli.UsageException("unknown option: " + arg);
                        }
                        if (options.url != null) {
                            throw new Cli.UsageException("only one URL, please: " + arg);
                        }
                        options.url = url(arg);
                    }
                }
            }
            if (options.url == null) {
                throw new Cli.UsageException("no URL given");
            }
            if (options.cacert != null) {
                try {
                    options.trusted = TlsSupport.trusted(options.cacert); // a bad file is a command-line mistake
                } catch (IOException e) {
                    throw new Cli.UsageException(Main.describe(e));
                }
            }
            return options;
        }
    }

    /** Parses a URL; {@code example.com/x} means {@code http://example.com/x}, as for curl. */
    static URI url(String text) throws Cli.UsageException {
        String full = text.contains("://") ? text : "http://" + text;
        URI url;
        try {
            url = new URI(full);
        } catch (URISyntaxException e) {
            throw new Cli.UsageException("bad URL: " + e.getMessage());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Cli.UsageException("only http:// and https:// URLs are supported: " + text);
        }
        if (url.getHost() == null) {
            throw new Cli.UsageException("no host in URL: " + text);
        }
        if (url.getPort() > 0xFFFF) {
            throw new Cli.UsageException("the port in the URL is not in 0-65535: " + text);
        }
        return url;
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Cli.UsageException e) {
            return Cli.usageError("http-get", USAGE, e, out, err);
        }
        if (options.wiretap) {
            Cli.showWire(err);
        }
        Session session = new Session(options, out, err);
        try {
            return session.get();
        } catch (IOException | RuntimeException e) {
            return session.fail(e);
        } finally {
            out.flush();
        }
    }

    /** One run of the command: the options, the deadline and, for https, the TLS context. */
    private static final class Session {
        private final Options options;
        private final PrintStream out;
        private final PrintStream err;
        private final Deadline deadline;
        private SslContext sslContext;
        /** The exit code of the last response. */
        private int status;
        /** {@code host:port} of the current request, for messages. */
        private String target;

        Session(Options options, PrintStream out, PrintStream err) {
            this.options = options;
            this.out = out;
            this.err = err;
            this.deadline = options.maxTime == null ? Deadline.NONE : Deadline.after(options.maxTime);
        }

        /** GET, following redirects when asked; returns the exit code. */
        int get() throws IOException {
            URI url = options.url;
            for (int redirects = 0; ; redirects++) {
                URI next = getOnce(url);
                if (next == null) {
                    return status;
                }
                if (redirects == MAX_REDIRECTS) {
                    err.println("http-get: stopped after " + MAX_REDIRECTS + " redirects (next: "
                            + Cli.printable(next.toString()) + ")");
                    return EXIT_PROTOCOL;
                }
                url = next;
            }
        }

        /** One request: returns where to go next for a redirect that is followed, else null (the body is done). */
        private URI getOnce(URI url) throws IOException {
            boolean tls = url.getScheme().equalsIgnoreCase("https");
            String host = url.getHost();
            String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            int port = url.getPort() >= 0 ? url.getPort() : (tls ? 443 : 80);
            target = host + ":" + port + (options.proxy != null ? " through " + options.proxy : "");
            StreamConnection connection = deadline.await(connect(bareHost, port, tls));
            try {
                connection.writer().write(request(url, host, tls).getBytes(StandardCharsets.ISO_8859_1));
                try {
                    deadline.await(connection.writer().drain());
                } catch (IOException lost) {
                    // The server may have answered and reset before this thread got here: what it sent is still
                    // buffered, and the reads below return it before they report the loss (or the time-out).
                }

                HttpResponseParser parser = new HttpResponseParser(connection.reader(), deadline, options.maxHead);
                HttpResponseParser.ResponseHead head = parser.readHead();
                if (options.include) {
                    byte[] text = head.format().getBytes(StandardCharsets.ISO_8859_1);
                    out.write(text, 0, text.length);
                }
                if (options.follow && REDIRECTS.contains(head.status()) && head.header("Location").isPresent()) {
                    return redirect(url, head.header("Location").get());
                }
                readBody(parser, head);
                if (head.status() >= 400) {
                    err.println("http-get: the server answered " + head.status()
                            + (head.reason().isEmpty() ? "" : " " + Cli.printable(head.reason())));
                    status = EXIT_HTTP_ERROR;
                } else {
                    status = 0;
                }
                return null;
            } finally {
                // Connection: close; the server may close first. Bounded wait, and a failed close is no news.
                connection.close();
                try {
                    Await.await(connection.writer().waitClosed(), Duration.ofSeconds(2));
                } catch (IOException | RuntimeException ignored) {
                    // the response is what counts
                }
            }
        }

        /** The request: GET with Host, User-Agent, Accept-Encoding: identity and Connection: close. */
        private static String request(URI url, String host, boolean tls) {
            String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            String requestTarget = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
            int defaultPort = tls ? 443 : 80;
            String hostHeader = url.getPort() < 0 || url.getPort() == defaultPort ? host : host + ":" + url.getPort();
            return "GET " + requestTarget + " HTTP/1.1\r\n"
                    + "Host: " + hostHeader + "\r\n"
                    + "User-Agent: " + USER_AGENT + "\r\n"
                    + "Accept: */*\r\n"
                    + "Accept-Encoding: identity\r\n"
                    + "Connection: close\r\n"
                    + "\r\n";
        }

        /** Where a redirect points, resolved against the current URL. */
        private static URI redirect(URI from, String location) throws MalformedResponseException {
            try {
                URI base = from.getRawPath() == null || from.getRawPath().isEmpty() ? from.resolve("/") : from;
                URI next = base.resolve(new URI(location.strip()));
                url(next.toString()); // http or https with a host
                return next;
            } catch (URISyntaxException | IllegalArgumentException | Cli.UsageException e) {
                throw new MalformedResponseException("bad redirect Location: " + Cli.printable(location), e);
            }
        }

        /** Writes the body to stdout or the file, with the progress bar when wanted. */
        private void readBody(HttpResponseParser parser, HttpResponseParser.ResponseHead head) throws IOException {
            Progress progress = showProgress() ? new Progress(err, expectedLength(head)) : null;
            OutputStream body = options.output == null ? out : openOutput(options.output);
            try {
                List<HttpResponseParser.Header> trailers = parser.readBody(head, (data, offset, length) -> {
                    try {
                        body.write(data, offset, length);
                    } catch (IOException e) {
                        throw new OutputFileException(options.output.toString(), e);
                    }
                    if (body == out && out.checkError()) { // a PrintStream hides its errors: stdout is gone
                        throw new OutputFileException("stdout", new IOException("write failed"));
                    }
                    if (progress != null) {
                        progress.add(length);
                    }
                });
                if (options.include && !trailers.isEmpty()) {
                    StringBuilder text = new StringBuilder();
                    trailers.forEach(t -> text.append(t.name()).append(": ").append(t.value()).append("\r\n"));
                    byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
                    out.write(bytes, 0, bytes.length);
                }
            } finally {
                if (progress != null) {
                    progress.finish();
                }
                if (body != out) {
                    try {
                        body.close();
                    } catch (IOException e) {
                        throw new OutputFileException(options.output.toString(), e);
                    }
                } else {
                    out.flush();
                }
            }
        }

        /**
         * With {@code --progress}; or with {@code -o} when the console is a terminal and stderr is the process's own
         * (Java 17 cannot ask whether stderr alone is a terminal: {@code System.console()} means stdin and stdout).
         */
        private boolean showProgress() {
            return options.progress || (options.output != null && System.console() != null && err == System.err);
        }

        /** The body's length when the response says it, else -1. */
        private static long expectedLength(HttpResponseParser.ResponseHead head) throws MalformedResponseException {
            return HttpResponseParser.framing(head) == HttpResponseParser.Framing.CONTENT_LENGTH
                    ? HttpResponseParser.contentLength(head) : -1;
        }

        private static OutputStream openOutput(Path file) throws OutputFileException {
            try {
                return new BufferedOutputStream(Files.newOutputStream(file), HttpResponseParser.PIECE);
            } catch (IOException e) {
                throw new OutputFileException(file.toString(), e);
            }
        }

        /**
         * Connects, with TLS for https: the library's TLS path (the future completes after the handshake), with
         * the certificate and the host name checked unless {@code --insecure}.
         */
        private CompletableFuture<StreamConnection> connect(String host, int port, boolean tls) throws IOException {
            ConnectOptions.Builder connect = ConnectOptions.builder().limit(options.maxLine)
                    .connectTimeout(options.connectTimeout).proxy(options.proxy).wiretap(options.wiretap);
            if (tls) {
                connect.sslContext(sslContext()).hostnameVerification(!options.insecure);
            }
            return NettyStreams.openConnection(host, port, connect.build());
        }

        /**
         * The client context: the JDK's trust store, plus {@code --cacert}'s certificates; with {@code --insecure},
         * a trust manager that accepts any chain (the name check is turned off by the connection's options).
         */
        private SslContext sslContext() throws IOException {
            if (sslContext != null) {
                return sslContext;
            }
            SslContextBuilder builder = SslContextBuilder.forClient();
            if (options.insecure) {
                err.println("http-get: warning: --insecure: the server's certificate and name are not checked");
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (options.trusted != null) {
                builder.trustManager(options.trusted);
            }
            sslContext = builder.build();
            return sslContext;
        }

        /** Reports a failure in one line and returns its exit code. */
        int fail(Throwable failure) {
            Throwable cause = Main.unwrap(failure);
            String message = Main.describe(cause);
            int code;
            if (cause instanceof OutputFileException) {
                code = EXIT_FILE;
            } else if (cause instanceof MalformedResponseException) {
                message = "malformed response: " + message;
                code = EXIT_PROTOCOL;
            } else if (TlsSupport.sslCause(cause) != null) {
                message = "TLS error: " + Main.describe(TlsSupport.sslCause(cause));
                code = EXIT_TLS;
            } else if (cause instanceof SocketTimeoutException
                    || cause instanceof io.netty.channel.ConnectTimeoutException) {
                code = EXIT_NETWORK;
            } else if (cause instanceof IOException) {
                message = describeNetwork(cause);
                code = EXIT_NETWORK;
            } else {
                message = cause.toString();
                code = EXIT_FAILURE;
            }
            err.println("http-get: " + Cli.printable(message)); // server bytes may be in it: no terminal escapes
            return code;
        }

        private String describeNetwork(Throwable cause) {
            return Main.describeConnect(target != null ? target : options.url.getHost(), cause);
        }
    }

    /** The output file could not be written (exit code 3). */
    static final class OutputFileException extends IOException {
        private static final long serialVersionUID = 1L;

        OutputFileException(String file, IOException cause) {
            super("cannot write " + file + ": " + Main.describe(cause), cause);
        }
    }
}
