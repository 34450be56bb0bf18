package dev.streams.netty.reliability;

import dev.streams.StreamServer;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Shared helpers of the reliability suite: the soak switch, figures, hang detection, digests. */
final class Rel {

    static final String HOST = "127.0.0.1";
    /** True under {@code -Ddev.streams.soak=true} (the {@code soak} profile): sizes ten times larger. */
    static final boolean SOAK = Boolean.getBoolean("dev.streams.soak");
    /** How long one step may take before the test calls it a hang (never a speed assertion). */
    static final long HANG_SECONDS = SOAK ? 240 : 30;

    private Rel() {
    }

    /** {@code ci}, or {@code soak} under the soak profile. */
    static long scaled(long ci, long soak) {
        return SOAK ? soak : ci;
    }

    /** Prints a measured figure in the form RELIABILITY.md quotes: {@code FIGURE name: text}. */
    static void figure(String name, String format, Object... args) {
        System.out.println("FIGURE " + name + ": " + String.format(java.util.Locale.ROOT, format, args)
                + (SOAK ? " [soak]" : ""));
    }

    static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    /** The future's value, failing as a hang after {@link #HANG_SECONDS}. */
    static <T> T within(CompletableFuture<T> future) throws Exception {
        return future.get(HANG_SECONDS, TimeUnit.SECONDS);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String hex(byte[] digest) {
        StringBuilder sb = new StringBuilder();
        for (byte b : digest) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
