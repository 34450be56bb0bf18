package dev.streams.examples;

import static dev.streams.Await.await;

import dev.streams.StreamConnection;
import dev.streams.StreamWriter;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.Endpoint;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ProxyOptions;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * {@code echo-client}: the asyncio tutorial's echo client.
 *
 * <pre>{@code
 * reader, writer = await asyncio.open_connection('127.0.0.1', 8888)
 * for message in ['Привет', 'Как дела?', 'Пока']:
 *     writer.write(message.encode() + b'\n')
 *     await writer.drain()
 *     data = await reader.readline()
 *     print(f'Сервер ответил: {data.decode().strip()}')
 * writer.close()
 * await writer.wait_closed()
 * }</pre>
 *
 * <p>Written twice, once per style: {@link #talkBlocking} with {@code await} and {@link #talkAsync} with futures.
 * A server that closes before answering is an {@link EOFException}, one that does not answer in time (a TLS server
 * spoken to in plain TCP may wait for ever) a {@link SocketTimeoutException}: exit code 1 either way.
 */
public final class EchoClient {

    /** The tutorial's messages. */
    static final List<String> TUTORIAL_MESSAGES = List.of("Привет", "Как дела?", "Пока");

    /** How long the client waits for each answer (and for a TLS handshake) by default. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    static final String USAGE = String.join("\n",
            "Usage: echo-client [--host HOST] [--port PORT | --unix PATH] [--tls [--cacert FILE]",
            "                   [--server-name NAME]] [--connect-timeout S] [--timeout S] [--proxy URI]",
            "                   [--wiretap] [--async] [MESSAGE ... | -]",
            "",
            "Sends each message as a line (default: Привет, Как дела?, Пока; with -, the lines of stdin),",
            "waits for each answer and prints \"Сервер ответил: <answer>\"; then closes the connection.",
            "Exit code 1 when the connection fails, or the server closes it or does not answer in time;",
            "2 for a bad command line (an unusable --cacert file included).",
            "",
            "  --host HOST        the server (default 127.0.0.1)",
            "  --port PORT        its port (default 8888)",
            "  --unix PATH        connect to a Unix domain socket instead",
            "  --tls              talk TLS; the server's certificate and name are checked against the JDK's",
            "                     trust store",
            "  --cacert FILE      also trust the certificate(s) in FILE (PEM), e.g. echo-server --write-cert's",
            "  --server-name NAME the name to send (SNI) and check in the certificate (default: the host;",
            "                     with --unix: localhost)",
            "  --connect-timeout S  the longest a connection attempt may take, in seconds (default 30)",
            "  --timeout S        the longest to wait for each answer and for the TLS handshake, in seconds",
            "                     (default " + DEFAULT_TIMEOUT.toSeconds() + ")",
            "  --proxy URI        go through a proxy: socks5://[user:pass@]host:port (the proxy resolves",
            "                     the host name, as curl's socks5h://) or http://[user:pass@]host:port",
            "                     (an HTTP CONNECT tunnel); not with --unix",
            "  --wiretap          print every byte sent and received (hex dumps; the plaintext under TLS)",
            "                     to stderr",
            "  --async            use the future-based API instead of blocking await() calls",
            "                     (with -, stdin is then read to its end first)",
            "  -h, --help         this help",
            "",
            Cli.ENCODING_NOTE);

    /**
     * Where and how the client connects: {@code host:port}, or a Unix domain socket when {@code unix} is not null;
     * with TLS when the options carry an {@code SslContext}. {@code timeout} bounds the wait for each answer.
     */
    record Target(String host, int port, Path unix, ConnectOptions options, Duration timeout) {

        /** Plain TCP to {@code host:port}. */
        static Target tcp(String host, int port) {
            return new Target(host, port, null, ConnectOptions.DEFAULTS, DEFAULT_TIMEOUT);
        }

        CompletableFuture<StreamConnection> connect() {
            Endpoint where = unix != null ? Endpoint.unix(unix) : Endpoint.tcp(host, port);
            return NettyStreams.openConnection(where, options);
        }

        /** {@code host:port} (and the proxy) or the socket's path, for messages. */
        @Override
        public String toString() {
            return unix != null ? unix.toString()
                    : host + ":" + port + (options.proxy() != null ? " through " + options.proxy() : "");
        }
    }

    private EchoClient() {
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.in, out, err);
    }

    /** Runs the command with {@code in} as stdin (for {@code -}). */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String host = "127.0.0.1";
        int port = 8888;
        Path unix = null;
        boolean hostOrPort = false;
        boolean tls = false;
        Path cacert = null;
        String serverName = null;
        boolean async = false;
        boolean stdin = false;
        Duration connectTimeout = ConnectOptions.DEFAULT_CONNECT_TIMEOUT;
        Duration timeout = DEFAULT_TIMEOUT;
        ProxyOptions proxy = null;
        List<String> messages = new ArrayList<>();
        boolean wiretap = false;
        Target target;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                Cli.checkHelp(arg);
                hostOrPort |= arg.equals("--host") || arg.equals("--port");
                if (arg.equals("--host")) {
                    host = Cli.value(args, i++);
                } else if (arg.equals("--port")) {
                    port = Cli.port(Cli.value(args, i++));
                } else if (arg.equals("--unix")) {
                    unix = Path.of(Cli.value(args, i++));
                } else if (arg.equals("--tls")) {
                    tls = true;
                } else if (arg.equals("--cacert")) {
                    cacert = Cli.existingFile(arg, Cli.value(args, i++));
                } else if (arg.equals("--server-name")) {
                    serverName = Cli.value(args, i++);
                } else if (arg.equals("--connect-timeout")) {
                    connectTimeout = Cli.connectTimeout(arg, Cli.value(args, i++));
                } else if (arg.equals("--timeout")) {
                    timeout = Cli.seconds(arg, Cli.value(args, i++));
                } else if (arg.equals("--proxy")) {
                    proxy = Cli.proxy(arg, Cli.value(args, i++));
                } else if (arg.equals("--wiretap")) {
                    wiretap = true;
                } else if (arg.equals("--async")) {
                    async = true;
                } else if (arg.equals("-")) {
                    stdin = true;
                } else if (arg.startsWith("--")) {
                    throw new Cli.UsageException("unknown option: " + arg);
                } else if (arg.indexOf('\n') >= 0) {
                    throw new Cli.UsageException("a message cannot contain a line break: " + arg.strip());
                } else {
                    messages.add(arg);
                }
            }
            if (stdin && !messages.isEmpty()) {
                throw new Cli.UsageException("give messages or -, not both");
            }
            if (unix != null && hostOrPort) {
                throw new Cli.UsageException("--unix connects to a socket file: no --host or --port with it");
            }
            if (!tls && (cacert != null || serverName != null)) {
                throw new Cli.UsageException("--cacert and --server-name need --tls");
            }
            if (unix != null && proxy != null) {
                throw new Cli.UsageException("--proxy reaches TCP hosts: not with --unix");
            }
            ConnectOptions.Builder options = ConnectOptions.builder().connectTimeout(connectTimeout).proxy(proxy)
                    .wiretap(wiretap);
            if (tls) {
                // Over a Unix socket there is no host name: check the one a generated certificate has.
                options.sslContext(TlsSupport.clientContext(cacert)).handshakeTimeout(timeout)
                        .serverHostname(serverName != null ? serverName
                                : unix != null ? TlsSupport.SELF_SIGNED_DNS : null);
            }
            target = new Target(host, port, unix, options.build(), timeout);
        } catch (Cli.UsageException e) {
            return Cli.usageError("echo-client", USAGE, e, out, err);
        }
        if (wiretap) {
            Cli.showWire(err);
        }
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        Iterator<String> source = stdin ? lines.lines().iterator()
                : (messages.isEmpty() ? TUTORIAL_MESSAGES : messages).iterator();
        try {
            if (async) {
                List<String> all = new ArrayList<>();
                source.forEachRemaining(all::add);
                await(talkAsync(target, all, out));
            } else {
                talkBlocking(target, source, out);
            }
            return 0;
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            err.println("echo-client: " + Cli.printable(describe(target, e)));
            return 1;
        } finally {
            out.flush();
        }
    }

    /** One line for a failure: a failed handshake says so, with the TLS reason (untrusted, wrong name...). */
    private static String describe(Target target, Throwable failure) {
        SSLException tls = TlsSupport.sslCause(failure);
        if (tls != null) {
            return "TLS handshake with " + target + " failed: " + Main.describe(tls);
        }
        if (Main.unwrap(failure) instanceof SocketTimeoutException) {
            return "no answer from " + target + " within " + Deadline.seconds(target.timeout()) + " s"
                    + (target.options().sslContext() == null ? " (a TLS server? then add --tls)" : "");
        }
        if (Main.unwrap(failure) instanceof FileNotFoundException && target.unix() != null) {
            // epoll reports a missing socket file as a bare FileNotFoundException (no message, no path)
            return "cannot connect to " + target + ": no such socket";
        }
        return Main.describeConnect(target.toString(), failure);
    }

    /** The blocking conversation over plain TCP to {@code host:port}. */
    public static List<String> talkBlocking(String host, int port, Iterator<String> messages, PrintStream out)
            throws IOException {
        return talkBlocking(Target.tcp(host, port), messages, out);
    }

    /** The future-style conversation over plain TCP to {@code host:port}. */
    public static CompletableFuture<List<String>> talkAsync(String host, int port, List<String> messages,
                                                            PrintStream out) {
        return talkAsync(Target.tcp(host, port), messages, out);
    }

    /** The blocking style: connect, then one message at a time; closes and waits for the close in any case. */
    static List<String> talkBlocking(Target target, Iterator<String> messages, PrintStream out)
            throws IOException {
        StreamConnection connection = await(target.connect());
        List<String> answers = new ArrayList<>();
        try {
            while (messages.hasNext()) {
                String message = messages.next();
                connection.writer().write(line(message));
                await(connection.writer().drain());
                answers.add(answer(message, await(connection.reader().readLine(), target.timeout()), out));
            }
        } finally {
            closeAndWait(connection);
        }
        return answers;
    }

    /**
     * The future style: the same conversation as a chain of futures; never blocks. Each reply, read with
     * {@code forEachLine} (asyncio's {@code async for line in reader}), answers the message sent last and sends the
     * next one; after the last answer the client closes, and the loop ends at the EOF that follows.
     */
    static CompletableFuture<List<String>> talkAsync(Target target, List<String> messages, PrintStream out) {
        return target.connect().thenCompose(connection -> {
            StreamWriter writer = connection.writer();
            Iterator<String> next = messages.iterator();
            List<String> answers = new ArrayList<>();
            String[] asked = new String[1];
            AtomicInteger answered = new AtomicInteger(); // read by the answer timer's thread
            List<CompletableFuture<Void>> loop = new ArrayList<>(1); // the loop, for the answer timer to stop
            Runnable ask = () -> {
                asked[0] = next.next();
                writer.write(line(asked[0]));
                int before = answered.get();
                CompletableFuture.delayedExecutor(target.timeout().toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
                    if (answered.get() == before) { // still no answer: end the loop (its read is cancelled)
                        loop.get(0).completeExceptionally(new SocketTimeoutException("no answer in time"));
                    }
                });
            };
            if (next.hasNext()) {
                ask.run();
            } else {
                connection.close();
            }
            loop.add(connection.reader().forEachLine(reply -> {
                answers.add(answerUnchecked(asked[0], reply, out));
                answered.incrementAndGet();
                if (!next.hasNext()) {
                    connection.close(); // done: the loop ends at the EOF after our close
                    return null;
                }
                ask.run();
                return writer.drain();
            }));
            CompletableFuture<Void> talk = loop.get(0).thenRun(() -> {
                if (answers.size() < messages.size()) {
                    throw new UncheckedIOException(new EOFException(
                            "the server closed the connection before answering \"" + asked[0] + "\""));
                }
            });
            // Close and wait for the close whether the talk went well or not; then report the talk's outcome.
            return talk.handle((ok, failure) -> failure)
                    .thenCompose(failure -> {
                        connection.close();
                        return connection.writer().waitClosed().handle((closed, closeFailure) -> {
                            if (failure != null) {
                                Throwable cause = Main.unwrap(failure);
                                throw new CompletionException(cause instanceof UncheckedIOException
                                        ? cause.getCause() : cause);
                            }
                            return answers;
                        });
                    });
        });
    }

    /** The message as a UTF-8 line. */
    private static byte[] line(String message) {
        return (message + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Checks and prints an answer; a missing or cut-off one means the server closed early. */
    private static String answer(String message, byte[] reply, PrintStream out) throws EOFException {
        if (reply.length == 0 || reply[reply.length - 1] != '\n') {
            throw new EOFException("the server closed the connection before answering \"" + message + "\"");
        }
        String text = new String(reply, StandardCharsets.UTF_8).strip();
        out.println("Сервер ответил: " + text);
        return text;
    }

    private static String answerUnchecked(String message, byte[] reply, PrintStream out) {
        try {
            return answer(message, reply, out);
        } catch (EOFException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes and waits for the close; a failure of the close itself is not the conversation's failure. */
    static void closeAndWait(StreamConnection connection) {
        connection.close();
        try {
            await(connection.writer().waitClosed(), EchoServer.STOP_GRACE);
        } catch (IOException | RuntimeException ignored) {
            // the connection is gone either way
        }
    }
}
