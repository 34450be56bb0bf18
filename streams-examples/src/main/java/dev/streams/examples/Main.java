package dev.streams.examples;

import java.io.FileDescriptor;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The jar's entry point: {@code java -jar streams-examples.jar <command> [options]}. Each command runs in-process
 * through {@link #run} and returns its exit code; {@link #main} hands that code to {@code System.exit}.
 */
public final class Main {

    static final String USAGE = String.join("\n",
            "Usage: java -jar streams-examples.jar <command> [options]",
            "",
            "Commands:",
            "  echo-server   the asyncio tutorial's echo server (Ctrl-C stops it)",
            "  echo-client   the tutorial's client: sends Привет, Как дела?, Пока and prints the answers",
            "  http-get      an HTTP/1.1 GET client written on the streams API (-i, -L, -o, https)",
            "  demo          runs the echo server and client against each other, async then blocking",
            "  attach-demo   a plain Netty server whose channels are handed to streams code with attach()",
            "",
            "The tutorial itself, each a short file that reads like the asyncio original:",
            "  tutorial-echo-server [PORT]             TutorialEchoServer.java (default port 8888)",
            "  tutorial-echo-client [PORT]             TutorialEchoClient.java",
            "  tutorial-http-get [HOST [PORT [PATH]]]  TutorialHttpGet.java (default example.com 80 /)",
            "",
            "Run '<command> --help' for a command's options.",
            "",
            Cli.ENCODING_NOTE);

    private Main() {
    }

    /** A command: arguments in, exit code out. */
    @FunctionalInterface
    interface Command {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    /**
     * Runs a command and exits with its code. Output is UTF-8 whatever the locale, and so are the arguments under a
     * locale that names no charset (see {@link Utf8Terminal}).
     *
     * @param args the command and its arguments
     */
    public static void main(String[] args) {
        PrintStream out = Utf8Terminal.stream(FileDescriptor.out);
        PrintStream err = Utf8Terminal.stream(FileDescriptor.err);
        System.setOut(out);
        System.setErr(err);
        int code = run(Utf8Terminal.arguments(args), out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs {@code args[0]} with the rest of the arguments; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return Cli.EXIT_USAGE;
        }
        if (Cli.isHelp(args[0]) || args[0].equals("help")) {
            out.println(USAGE);
            return 0;
        }
        Command command = command(args[0]);
        if (command == null) {
            err.println("unknown command: " + args[0]);
            err.println(USAGE);
            return Cli.EXIT_USAGE;
        }
        return command.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }

    private static Command command(String name) {
        return switch (name) {
            case "echo-server" -> EchoServer::run;
            case "echo-client" -> EchoClient::run;
            case "http-get" -> HttpGet::run;
            case "demo" -> Demo::run;
            case "attach-demo" -> AttachDemo::run;
            case "tutorial-echo-server" -> tutorial("tutorial-echo-server [PORT]", TutorialEchoServer::main);
            case "tutorial-echo-client" -> tutorial("tutorial-echo-client [PORT]", TutorialEchoClient::main);
            case "tutorial-http-get" -> tutorial("tutorial-http-get [HOST [PORT [PATH]]]", TutorialHttpGet::main);
            default -> null;
        };
    }

    /** A tutorial program's {@code main}. */
    @FunctionalInterface
    interface TutorialMain {
        void main(String[] args) throws Exception;
    }

    /**
     * A tutorial program as a command: {@code --help} prints its usage; a failure is one line and exit code 1. The
     * tutorials print to {@code System.out}, which {@link #main} made UTF-8.
     */
    private static Command tutorial(String usage, TutorialMain program) {
        return (args, out, err) -> {
            if (args.length > 0 && Cli.isHelp(args[0])) {
                out.println("Usage: " + usage);
                return 0;
            }
            String name = usage.substring(0, usage.indexOf(' '));
            try {
                program.main(args);
                return 0;
            } catch (NumberFormatException e) {
                err.println(name + ": the port must be a number");
                err.println("Usage: " + usage);
                return Cli.EXIT_USAGE;
            } catch (Exception e) {
                err.println(name + ": " + Cli.printable(describe(e)));
                return 1;
            }
        };
    }

    /** The cause inside {@link CompletionException}, {@link ExecutionException} or {@link UncheckedIOException}. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException
                || t instanceof UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * A one-line description of a failure to connect to {@code where} when {@code t} is one (the native transport's
     * {@code "finishConnect(..) failed with error(-111): Connection refused: /127.0.0.1:1"} becomes
     * {@code "cannot connect to 127.0.0.1:1: Connection refused"}), else {@link #describe}.
     */
    static String describeConnect(String where, Throwable t) {
        Throwable cause = unwrap(t);
        if (!(cause instanceof java.net.ConnectException || cause instanceof java.net.UnknownHostException
                || cause instanceof java.net.NoRouteToHostException)) {
            return describe(cause);
        }
        String message = describe(cause)
                .replaceFirst("^\\w+\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "")
                .replaceFirst(": /\\S+$", "");
        return "cannot connect to " + where + ": " + message;
    }

    /** A one-line description of a failure: its message, or its type when it has none. */
    static String describe(Throwable t) {
        Throwable cause = unwrap(t);
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        return message.lines().findFirst().orElse(message);
    }
}
