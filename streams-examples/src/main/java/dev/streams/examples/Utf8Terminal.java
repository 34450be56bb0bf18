package dev.streams.examples;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * UTF-8 on the terminal whatever the locale. With {@code LANG} unset (or {@code C}), the JVM's console charset is
 * ASCII: {@code System.out} would print Cyrillic as {@code ??????}, and the arguments arrive with every non-ASCII
 * byte replaced by U+FFFD. Here the output streams always encode UTF-8, and under a locale that names no charset the
 * arguments are decoded again as UTF-8 from the process's own command line ({@code /proc/self/cmdline}, Linux).
 */
final class Utf8Terminal {

    private Utf8Terminal() {
    }

    /** A UTF-8 print stream on {@code fd} (flushed at each line and each byte-array write). */
    static PrintStream stream(FileDescriptor fd) {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(fd), 8192), true, StandardCharsets.UTF_8);
    }

    /**
     * The arguments as the user typed them: {@code args} when the JVM decoded them with a charset the locale named,
     * else (an ASCII locale: unset, {@code C}, {@code POSIX}) the same arguments decoded as UTF-8 from
     * {@code /proc/self/cmdline}. The command line's last entries are used only when they decode to {@code args}
     * under the JVM's charset, so arguments that came from elsewhere (an {@code @argfile}) are left as they are.
     */
    static String[] arguments(String[] args) {
        Charset jvm = jvmCharset();
        if (!jvm.equals(StandardCharsets.US_ASCII) || args.length == 0) {
            return args;
        }
        List<byte[]> raw = commandLine();
        if (raw.size() < args.length) {
            return args;
        }
        List<byte[]> last = raw.subList(raw.size() - args.length, raw.size());
        String[] decoded = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            if (!new String(last.get(i), jvm).equals(args[i])) {
                return args; // not the same arguments: leave them alone
            }
            decoded[i] = new String(last.get(i), StandardCharsets.UTF_8);
        }
        return decoded;
    }

    /** The charset the JVM decoded the arguments with ({@code sun.jnu.encoding}). */
    private static Charset jvmCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException unknown) {
            return StandardCharsets.UTF_8;
        }
    }

    /** The process's command line, one byte array per entry; empty where there is no {@code /proc}. */
    private static List<byte[]> commandLine() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        } catch (IOException | SecurityException e) {
            return List.of();
        }
        List<byte[]> entries = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                entries.add(java.util.Arrays.copyOfRange(bytes, start, i));
                start = i + 1;
            }
        }
        return entries;
    }
}
