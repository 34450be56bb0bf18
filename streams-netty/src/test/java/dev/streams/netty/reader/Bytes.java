package dev.streams.netty.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Small helpers of the reader tests: bytes as readable text (ISO-8859-1, one char per byte, so AssertJ shows the
 * exact bytes on a failure) and the outcome of a future that must already be complete.
 */
final class Bytes {

    private Bytes() {
    }

    /** The bytes of an ASCII / ISO-8859-1 string. */
    static byte[] b(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The bytes as a string, one char per byte. */
    static String s(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** {@code count} bytes 'a'..'z' repeating (no '\n'). */
    static byte[] letters(int count) {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    /** The value of a future that must be complete now (a read the buffer answered), as text. */
    static String done(CompletableFuture<byte[]> future) {
        assertThat(future).as("the read should be complete at once").isDone();
        return s(future.join());
    }

    /** The failure of a future that must be complete now, unwrapped. */
    static Throwable failure(CompletableFuture<?> future) {
        assertThat(future).as("the read should have failed at once").isCompletedExceptionally();
        try {
            future.join();
        } catch (CompletionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        }
        throw new AssertionError("not failed: " + future);
    }
}
