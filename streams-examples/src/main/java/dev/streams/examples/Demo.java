package dev.streams.examples;

import static dev.streams.Await.await;

import dev.streams.StreamServer;
import dev.streams.netty.NettyStreams;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;

/**
 * {@code demo}: the tutorial's conversation, self-contained. Starts the echo server on {@code 127.0.0.1:0} and runs
 * the client's three messages against it, first in the future style ({@code ClientHandler} server,
 * {@link EchoClient#talkAsync} client), then in the blocking style ({@code BlockingClientHandler} server,
 * {@link EchoClient#talkBlocking} client). Everything is closed before it returns.
 */
public final class Demo {

    static final String USAGE = String.join("\n",
            "Usage: demo",
            "",
            "Starts the echo server on 127.0.0.1 (a free port), runs the tutorial's client against it with",
            "the future-based API, then with the blocking API, prints the conversation and exits 0.");

    /** The longest the whole demo may take. */
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Demo() {
    }

    /** Runs the demo; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0) {
            return Cli.noArguments("demo", USAGE, args[0], out, err);
        }
        try {
            out.println("== Futures: ClientHandler server, client on CompletableFuture ==");
            converse(false, out, err);
            out.println();
            out.println("== Blocking: BlockingClientHandler server ("
                    + (NettyStreams.virtualThreads() ? "virtual threads" : "platform threads, Java 17")
                    + "), client with await() ==");
            converse(true, out, err);
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("demo: " + Main.describe(e));
            return 1;
        } finally {
            stopDefaultGroup("demo", err);
            out.flush();
        }
    }

    /** Stops the library's shared event loops (the client's and the server's), so that nothing is left running. */
    static void stopDefaultGroup(String command, PrintStream err) {
        try {
            await(NettyStreams.shutdownDefaultGroup(), Duration.ofSeconds(5));
        } catch (IOException | RuntimeException e) {
            err.println(command + ": event loops did not stop: " + Main.describe(e));
        }
    }

    /** One server, one client conversation, everything closed in {@code finally}. */
    private static void converse(boolean blocking, PrintStream out, PrintStream err) throws IOException {
        EchoServer.Options options = new EchoServer.Options();
        options.port = 0;
        options.blocking = blocking;
        StreamServer server = await(EchoServer.start(options, out, err), TIMEOUT);
        try {
            out.println("Serving on " + EchoServer.describe(server));
            int port = EchoServer.port(server);
            if (blocking) {
                EchoClient.talkBlocking(options.host, port, EchoClient.TUTORIAL_MESSAGES.iterator(), out);
            } else {
                await(EchoClient.talkAsync(options.host, port, EchoClient.TUTORIAL_MESSAGES, out), TIMEOUT);
            }
        } finally {
            EchoServer.stop(server, err);
            out.println("Server closed.");
        }
    }
}
