package dev.streams.examples;

import static dev.streams.Await.await;

import dev.streams.BlockingClientHandler;
import dev.streams.ClientHandler;
import dev.streams.LimitOverrunException;
import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.Endpoint;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.StreamOptions;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * {@code echo-server}: the asyncio tutorial's echo server.
 *
 * <pre>{@code
 * async def handle_echo(reader, writer):
 *     while line := await reader.readline():
 *         message = line.decode().strip()
 *         print(f"Получено: {message}")
 *         writer.write(f"Эхо: {message}\n".encode())
 *         await writer.drain()
 *     writer.close()
 *     await writer.wait_closed()
 * }</pre>
 *
 * <p>The same {@link Echo} logic runs as a {@link ClientHandler} (futures on the event loop, the default) or as a
 * {@link BlockingClientHandler} ({@code --blocking}: plain blocking code on a virtual thread where the JVM has them).
 * A line longer than the limit is reported on stderr and that connection is closed; the others carry on.
 *
 * <p>Where it listens and how are options of the library, not of the handler: {@code --unix} starts the same
 * handler with {@code Endpoint.unix}, {@code --tls} puts a server {@code SslContext} in the {@link ServerOptions}
 * (the handler then only sees connections whose handshake succeeded).
 */
public final class EchoServer {

    /** The default of {@code --idle-timeout}: a connection silent for five minutes is closed. */
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(300);

    static final String USAGE = String.join("\n",
            "Usage: echo-server [--host HOST] [--port PORT | --unix PATH] [--blocking [--blocking-threads N]]",
            "                   [--plain] [--limit BYTES] [--idle-timeout SECONDS] [--max-connections N]",
            "                   [--tls [--cert FILE --key FILE | --write-cert FILE]] [--wiretap]",
            "",
            "The asyncio tutorial's echo server: answers each line with \"Эхо: <line, stripped>\" (UTF-8)",
            "and logs \"Получено: <line>\". Stops cleanly on Ctrl-C or SIGTERM (exit code 0).",
            "",
            "  --host HOST       address to listen on (default 127.0.0.1)",
            "  --port PORT       port to listen on, 0 for any free one (default 8888)",
            "  --unix PATH       listen on a Unix domain socket instead of TCP (removed again on exit)",
            "  --blocking        serve with blocking code (BlockingClientHandler, virtual threads on Java 21+)",
            "                    instead of futures on the event loop (ClientHandler)",
            "  --blocking-threads N",
            "                    with --blocking: serve on a pool of N platform threads (the only choice on",
            "                    Java 17-20, where it is 256 by default). Each connection holds a thread while",
            "                    it is open, idle or not: connection N+1 waits, unanswered, until one leaves",
            "  --plain           echo each line unchanged and log nothing (for benchmarks)",
            "  --limit BYTES     the longest line accepted (default " + StreamOptions.DEFAULT_LIMIT + ");",
            "                    a longer one closes that connection",
            "  --idle-timeout SECONDS",
            "                    close a connection that neither reads nor writes a byte for that long",
            "                    (default " + DEFAULT_IDLE_TIMEOUT.toSeconds() + "; fractions allowed; 0 for never)",
            "  --max-connections N",
            "                    serve at most N connections at once (default: no limit); one more is",
            "                    closed at once (its client reads EOF)",
            "  --tls             serve over TLS; without --cert and --key, with a self-signed certificate for",
            "                    localhost and 127.0.0.1 made at start (its SHA-256 fingerprint is printed)",
            "  --cert FILE       the certificate chain (PEM) for --tls",
            "  --key FILE        its private key (PEM, PKCS#8, unencrypted)",
            "  --write-cert FILE write the self-signed certificate (PEM) to FILE, for echo-client --cacert",
            "  --wiretap         print every byte sent and received (hex dumps; the plaintext under TLS)",
            "                    to stderr",
            "  -h, --help        this help");

    /** How long a stop waits for the clients to close before it gives up. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private EchoServer() {
    }

    /** The parsed command line. */
    static final class Options {
        String host = "127.0.0.1";
        int port = 8888;
        /** A Unix domain socket to listen on instead of host and port, or null. */
        Path unix;
        boolean blocking;
        /** {@code --blocking-threads}: the pool's size, or 0 for the default scheduler. */
        int blockingThreads;
        boolean plain;
        int limit = StreamOptions.DEFAULT_LIMIT;
        /** The idle timeout, or null for none ({@code --idle-timeout 0}). */
        Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        int maxConnections = ServerOptions.UNLIMITED_CONNECTIONS;
        boolean tls;
        Path cert;
        Path key;
        Path writeCert;
        /** The server's TLS context, or null for plain TCP; {@link #run} makes it for {@code --tls}. */
        SslContext sslContext;
        boolean wiretap;

        static Options parse(String[] args) throws Cli.UsageException {
            Options options = new Options();
            boolean hostOrPort = false;
            for (int i = 0; i < args.length; i++) {
                Cli.checkHelp(args[i]);
                hostOrPort |= args[i].equals("--host") || args[i].equals("--port");
                switch (args[i]) {
                    case "--host" -> options.host = Cli.value(args, i++);
                    case "--port" -> options.port = Cli.port(Cli.value(args, i++));
                    case "--unix" -> options.unix = Path.of(Cli.value(args, i++));
                    case "--limit" -> options.limit = Cli.positive("--limit", Cli.value(args, i++));
                    case "--idle-timeout" -> {
                        String seconds = Cli.value(args, i++);
                        options.idleTimeout = seconds.equals("0") ? null : Cli.seconds("--idle-timeout", seconds);
                    }
                    case "--max-connections" -> options.maxConnections = Cli.positive("--max-connections",
                            Cli.value(args, i++));
                    case "--blocking" -> options.blocking = true;
                    case "--blocking-threads" ->
                            options.blockingThreads = Cli.positive("--blocking-threads", Cli.value(args, i++));
                    case "--plain" -> options.plain = true;
                    case "--wiretap" -> options.wiretap = true;
                    case "--tls" -> options.tls = true;
                    case "--cert" -> options.cert = Cli.existingFile("--cert", Cli.value(args, i++));
                    case "--key" -> options.key = Cli.existingFile("--key", Cli.value(args, i++));
                    case "--write-cert" -> options.writeCert = Cli.outputFile("--write-cert", Cli.value(args, i++));
                    default -> throw new Cli.UsageException("unknown argument: " + args[i]);
                }
            }
            if (options.unix != null && hostOrPort) {
                throw new Cli.UsageException("--unix listens on a socket file: no --host or --port with it");
            }
            if (options.blockingThreads > 0 && !options.blocking) {
                throw new Cli.UsageException("--blocking-threads needs --blocking");
            }
            if (!options.tls && (options.cert != null || options.key != null || options.writeCert != null)) {
                throw new Cli.UsageException("--cert, --key and --write-cert need --tls");
            }
            if ((options.cert == null) != (options.key == null)) {
                throw new Cli.UsageException("--cert and --key go together");
            }
            if (options.cert != null && options.writeCert != null) {
                throw new Cli.UsageException("--write-cert writes a generated certificate: not with --cert");
            }
            if (options.cert != null) {
                options.sslContext = TlsSupport.serverContext(options.cert, options.key);
            }
            return options;
        }
    }

    /** Runs the command until SIGINT or SIGTERM; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CompletableFuture<Void> cleanedUp = new CompletableFuture<>();
        try {
            return run(args, out, err, Signals.termination(cleanedUp));
        } finally {
            cleanedUp.complete(null);
        }
    }

    /**
     * Runs the command until {@code stop} completes: stops accepting, closes the clients gracefully, waits for them
     * (at most {@link #STOP_GRACE}) and returns 0. Tests pass their own {@code stop}.
     */
    public static int run(String[] args, PrintStream out, PrintStream err, CompletionStage<?> stop) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Cli.UsageException e) {
            return Cli.usageError("echo-server", USAGE, e, out, err);
        }
        if (options.wiretap) {
            Cli.showWire(err);
        }
        StreamServer server = null;
        try {
            if (options.tls && options.sslContext == null) {
                options.sslContext = selfSigned(options.writeCert, out);
            }
            server = await(start(options, out, err));
            out.println("Serving on " + describe(server));
            out.flush();
            Object why = await(stop);
            out.println("Stopping (" + why + ")");
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("echo-server: " + Main.describe(e));
            return 1;
        } finally {
            if (server != null) {
                stop(server, err);
            }
            out.flush();
        }
    }

    /** Starts a server for {@code options}, logging to {@code log}; the caller stops it with {@link #stop}. */
    static CompletableFuture<StreamServer> start(Options options, PrintStream log, PrintStream err) {
        Echo echo = new Echo(options.plain, options.limit, log, err);
        ServerOptions.Builder builder = ServerOptions.builder().limit(options.limit).sslContext(options.sslContext)
                .idleTimeout(options.idleTimeout).maxConnections(options.maxConnections).wiretap(options.wiretap);
        if (options.blockingThreads > 0) { // a pool of that many platform threads, whatever the Java
            builder.blockingScheduler(BlockingScheduler.POOL).blockingThreads(options.blockingThreads);
        }
        ServerOptions serverOptions = builder.build();
        Endpoint where = options.unix != null ? Endpoint.unix(options.unix) : Endpoint.tcp(options.host, options.port);
        return options.blocking
                ? NettyStreams.startBlockingServer(echo::serveBlocking, where, serverOptions)
                : NettyStreams.startServer(echo::serveAsync, where, serverOptions);
    }

    /**
     * {@code --tls} without files: a self-signed certificate made now, its fingerprint printed (so that a client can
     * check what it is told to trust) and, with {@code --write-cert}, the certificate written as PEM.
     */
    private static SslContext selfSigned(Path writeCert, PrintStream out) throws IOException {
        SelfSignedCertificate bundle = TlsSupport.selfSigned();
        out.println("Self-signed certificate for " + TlsSupport.SELF_SIGNED_DNS + " and " + TlsSupport.SELF_SIGNED_IP);
        out.println("SHA-256 Fingerprint=" + TlsSupport.fingerprint(bundle.certificate()));
        if (writeCert != null) {
            try {
                TlsSupport.writePem(bundle, writeCert);
            } catch (IOException e) {
                throw new IOException("cannot write --write-cert " + writeCert + ": " + Main.describe(e), e);
            }
            out.println("Certificate written to " + writeCert);
        }
        return TlsSupport.serverContext(bundle);
    }

    /** Stops accepting, closes every client gracefully and waits for them (at most {@link #STOP_GRACE}). */
    static void stop(StreamServer server, PrintStream err) {
        server.close();
        server.closeClients();
        try {
            await(server.waitClosed(), STOP_GRACE);
        } catch (IOException | RuntimeException e) {
            err.println("echo-server: clients did not close in time: " + Main.describe(e));
        }
    }

    /** The addresses as {@code 127.0.0.1:8888}, comma-separated. */
    static String describe(StreamServer server) {
        return server.localAddresses().stream().map(EchoServer::hostPort).collect(Collectors.joining(", "));
    }

    /** The port of the server's first address. */
    static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    static String hostPort(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * The echo logic, shared by both styles: {@link #answer} turns a line into the reply, {@link #failed} reports a
     * connection's failure. Only the waiting differs: futures in {@link #serveAsync}, {@code await} in
     * {@link #serveBlocking}.
     */
    static final class Echo {
        private final boolean plain;
        private final int limit;
        private final PrintStream log;
        private final PrintStream err;

        Echo(boolean plain, int limit, PrintStream log, PrintStream err) {
            this.plain = plain;
            this.limit = limit;
            this.log = log;
            this.err = err;
        }

        /** The reply to one line (which ends with {@code '\n'}, or not when it is the last one before EOF). */
        byte[] answer(byte[] line) {
            if (plain) {
                return line;
            }
            String message = new String(line, StandardCharsets.UTF_8).strip();
            log.println("Получено: " + message);
            return ("Эхо: " + message + "\n").getBytes(StandardCharsets.UTF_8);
        }

        /** ClientHandler: read a line, answer it, drain, until EOF; then close and wait for the close. */
        CompletionStage<Void> serveAsync(StreamReader reader, StreamWriter writer) {
            return reader.forEachLine(line -> { // asyncio's `async for line in reader`
                writer.write(answer(line));
                return writer.drain(); // the next line is read once the client keeps up
            }).thenCompose(eof -> {
                writer.close();
                return writer.waitClosed();
            }).exceptionally(failure -> {
                failed(writer, failure);
                return null;
            });
        }

        /** BlockingClientHandler: the same loop as straight-line code. */
        void serveBlocking(StreamReader reader, StreamWriter writer) {
            try {
                byte[] line;
                while ((line = await(reader.readLine())).length > 0) {
                    writer.write(answer(line));
                    await(writer.drain());
                }
                writer.close();
                await(writer.waitClosed());
            } catch (IOException | RuntimeException e) {
                failed(writer, e);
            }
        }

        /**
         * Reports a connection's failure on stderr (one line) and closes the connection. A
         * {@link ClosedChannelException} is not reported: the client closed while an answer was being drained (it
         * had its answers and left), which is how a conversation normally ends.
         */
        void failed(StreamWriter writer, Throwable failure) {
            Throwable cause = Main.unwrap(failure);
            String peer = hostPort(writer.remoteAddress());
            if (cause instanceof ClosedChannelException) {
                writer.close();
                return;
            }
            if (cause instanceof LimitOverrunException) {
                err.println("echo-server: " + peer + ": line longer than " + limit + " bytes; closing the connection");
            } else {
                err.println("echo-server: " + peer + ": " + Main.describe(cause));
            }
            writer.close();
        }
    }
}
