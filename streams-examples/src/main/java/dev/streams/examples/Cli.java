package dev.streams.examples;

import dev.streams.netty.ConnectOptions;
import dev.streams.netty.ProxyOptions;
import dev.streams.netty.StreamOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Small helpers for the subcommands' argument parsing. */
final class Cli {

    /** Exit code of a bad command line (as in most Unix tools). */
    static final int EXIT_USAGE = 2;

    /** How arguments and output are encoded; each command's {@code --help} ends with it. */
    static final String ENCODING_NOTE = String.join("\n",
            "Text is UTF-8: what is printed, whatever the locale, and the arguments when the locale names no",
            "character set (LANG and LC_ALL unset, C or POSIX); under a locale that names one, the arguments",
            "are decoded with it (as the JVM does).");

    private Cli() {
    }

    /** A bad command line; the message says what is wrong in one line. */
    static class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** {@code --help} or {@code -h} was given: not an error, the command prints its usage and exits 0. */
    static final class HelpRequested extends UsageException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super("help");
        }
    }

    /** The value after option {@code args[i]}. */
    static String value(String[] args, int i) throws UsageException {
        if (i + 1 >= args.length) {
            throw new UsageException("option " + args[i] + " needs a value");
        }
        return args[i + 1];
    }

    /** A port, 0-65535. */
    static int port(String text) throws UsageException {
        int port = integer("--port", text);
        if (port < 0 || port > 0xFFFF) {
            throw new UsageException("--port not in 0-65535: " + text);
        }
        return port;
    }

    /** A positive integer for {@code option}. */
    static int positive(String option, String text) throws UsageException {
        int value = integer(option, text);
        if (value <= 0) {
            throw new UsageException(option + " must be > 0: " + text);
        }
        return value;
    }

    /** A positive number of seconds (fractions allowed), as for curl's {@code --max-time 2.5}. */
    static Duration seconds(String option, String text) throws UsageException {
        double seconds;
        try {
            seconds = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " is not a number of seconds: " + text);
        }
        if (!(seconds > 0) || seconds > 1e9) {
            throw new UsageException(option + " must be > 0 seconds: " + text);
        }
        return Duration.ofNanos((long) (seconds * 1e9));
    }

    /**
     * A connect timeout in seconds: positive, at least a millisecond (the connection's precision) and at most what
     * {@link ConnectOptions.Builder#connectTimeout} accepts ({@code Integer.MAX_VALUE} ms, about 24.8 days).
     */
    static Duration connectTimeout(String option, String text) throws UsageException {
        Duration timeout = seconds(option, text);
        if (timeout.toMillis() < 1) {
            throw new UsageException(option + " must be at least 0.001 seconds: " + text);
        }
        if (timeout.toMillis() > Integer.MAX_VALUE) {
            throw new UsageException(option + " must be at most " + Integer.MAX_VALUE / 1000
                    + " seconds (about 24 days): " + text);
        }
        return timeout;
    }

    /** A file that must exist and be a regular file (a certificate, a key): says so when it is missing. */
    static Path existingFile(String option, String text) throws UsageException {
        Path file = Path.of(text);
        if (!Files.exists(file)) {
            throw new UsageException(option + " " + text + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException(option + " " + text + ": not a regular file");
        }
        return file;
    }

    /** A file to write: its directory must exist (the file itself is made or replaced later). */
    static Path outputFile(String option, String text) throws UsageException {
        Path file = Path.of(text);
        Path directory = file.toAbsolutePath().getParent();
        if (directory != null && !Files.isDirectory(directory)) {
            throw new UsageException(option + " " + text + ": the directory " + directory + " does not exist");
        }
        return file;
    }

    /**
     * {@code text} safe to print on a terminal: control characters (C0, DEL and C1, such as ESC, BEL, CR and the
     * one-byte CSI) become {@code \xHH}, so that bytes a server sent cannot move the cursor, retitle the window or
     * hide what came before.
     */
    static String printable(String text) {
        StringBuilder safe = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.getType(c) == Character.CONTROL) {
                if (safe == null) {
                    safe = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                safe.append(String.format("\\x%02x", (int) c));
            } else if (safe != null) {
                safe.append(c);
            }
        }
        return safe == null ? text : safe.toString();
    }

    /** The logger the options' {@code wiretap(true)} writes to; held here, as java.util.logging holds it weakly. */
    private static final Logger WIRE = Logger.getLogger(StreamOptions.WIRE_LOGGER);

    /**
     * {@code --wiretap}: the connections' options get {@code wiretap(true)}, whose hex dumps go at DEBUG to the logger
     * {@value StreamOptions#WIRE_LOGGER} (through java.util.logging here: the jar has no other logging library);
     * this shows that logger's records on {@code err}, one message each, without java.util.logging's date lines.
     */
    static synchronized void showWire(PrintStream err) {
        for (Handler old : WIRE.getHandlers()) {
            WIRE.removeHandler(old);
        }
        WIRE.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                err.println(record.getMessage());
            }

            @Override
            public void flush() {
                err.flush();
            }

            @Override
            public void close() {
            }
        });
        WIRE.setLevel(Level.FINE); // Netty's DEBUG
        WIRE.setUseParentHandlers(false);
    }

    /** A proxy URI for {@code option}, as {@link ProxyOptions#parse} reads it. */
    static ProxyOptions proxy(String option, String text) throws UsageException {
        try {
            return ProxyOptions.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }

    private static int integer(String option, String text) throws UsageException {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " is not a number: " + text);
        }
    }

    /**
     * Ends a command whose arguments could not be used: prints {@code usage} to {@code out} and returns 0 for
     * {@link HelpRequested}; else prints the problem and a pointer to {@code --help} to {@code err} and returns
     * {@link #EXIT_USAGE}.
     */
    static int usageError(String command, String usage, UsageException e, PrintStream out, PrintStream err) {
        if (e instanceof HelpRequested) {
            out.println(usage);
            return 0;
        }
        err.println(command + ": " + e.getMessage());
        err.println("Try 'java -jar streams-examples.jar " + command + " --help'.");
        return EXIT_USAGE;
    }

    /**
     * Ends a command that takes no arguments but was given {@code arg}: its usage and 0 for {@code --help}, else the
     * problem and {@link #EXIT_USAGE}.
     */
    static int noArguments(String command, String usage, String arg, PrintStream out, PrintStream err) {
        UsageException problem = isHelp(arg) ? new HelpRequested()
                : new UsageException(command + " takes no arguments: " + arg);
        return usageError(command, usage, problem, out, err);
    }

    /** True when {@code arg} asks for help. */
    static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h");
    }

    /** Throws {@link HelpRequested} when {@code arg} asks for help. */
    static void checkHelp(String arg) throws HelpRequested {
        if (isHelp(arg)) {
            throw new HelpRequested();
        }
    }
}
