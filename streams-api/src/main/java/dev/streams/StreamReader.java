package dev.streams;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The reading half of a connection: asyncio's {@code StreamReader}.
 *
 * <pre>{@code
 * byte[] line = await(reader.readLine());          // up to and including '\n'; empty at EOF
 * byte[] header = await(reader.readExactly(4));    // IncompleteReadException if EOF comes first
 * byte[] rest = await(reader.read(-1));            // everything up to EOF
 * }</pre>
 *
 * <p><b>Futures.</b> Every read returns a {@link CompletableFuture}. It is already complete when the buffered bytes
 * answer the read; otherwise it completes on the connection's event loop when data, EOF or an error arrives.
 * Bytes are copied once, from the network buffer into the returned array.
 *
 * <p><b>One waiting read at a time.</b> A read that the buffer answers succeeds at once, even while another read
 * waits, and takes its bytes first. A second read that would have to wait fails with {@link IllegalStateException}.
 *
 * <p><b>Cancellation and timeouts lose nothing.</b> A read takes no bytes until it completes. If its future is
 * completed from outside ({@code cancel}, {@code orTimeout}, {@code completeExceptionally}) the waiting slot is freed
 * before that call returns and every byte stays for the next read, {@code read(-1)} included.
 *
 * <p><b>Errors.</b> When the connection fails, reads first return the bytes already buffered (unlike asyncio), then
 * fail with the cause: a read fails as soon as the buffered bytes cannot answer it. The failure is sticky.
 *
 * <p><b>The limit</b> (default 65,536 bytes) bounds separator searches (see {@link #readUntil}) and the buffer:
 * above {@code 2 × limit} buffered bytes the connection stops reading from the socket, at {@code limit} or below it
 * reads again, and while a read waits it always reads.
 *
 * <p>Implementations are thread-safe: reads may be called from any thread.
 */
public interface StreamReader {

    /**
     * Reads up to {@code n} bytes.
     *
     * @param n {@code n > 0}: wait until at least one byte (or EOF) is there and return up to {@code n} bytes, never
     *          waiting to fill {@code n}; {@code n == 0}: an empty array at once; {@code n < 0}: everything up to EOF
     * @return the bytes; empty at EOF
     */
    CompletableFuture<byte[]> read(int n);

    /**
     * Reads into the caller's memory: waits like {@link #read(int)} until at least one byte (or EOF) is there, then
     * copies up to {@code dst.remaining()} bytes into {@code dst} and advances its position. No array is allocated.
     * Nothing is copied until the future completes, so a cancelled or timed-out read leaves {@code dst} and the
     * buffered bytes as they were; while the read waits, {@code dst} belongs to the reader (do not touch it until the
     * future completes).
     *
     * @param dst where the bytes go; with nothing remaining the answer is 0 at once
     * @return the number of bytes copied; -1 at EOF
     * @throws NullPointerException     when {@code dst} is null
     * @throws IllegalArgumentException when {@code dst} is read-only
     */
    CompletableFuture<Integer> read(ByteBuffer dst);

    /**
     * Reads exactly {@code n} bytes.
     *
     * @param n the number of bytes, {@code >= 0}
     * @throws IllegalArgumentException when {@code n < 0}
     * @return the bytes; fails with {@link IncompleteReadException} (holding the partial bytes, which are consumed)
     *         when EOF arrives first
     */
    CompletableFuture<byte[]> readExactly(int n);

    /**
     * Reads up to and including a separator.
     *
     * <p>With several separators, the match that <em>ends</em> first wins; on a tie, the shorter separator. Only the
     * bytes before the separator count against the {@linkplain #limit() limit}: when the separator starts at an index
     * above the limit, or none is found and the bytes that can no longer begin one exceed the limit, the future fails
     * with {@link LimitOverrunException} and the buffer is left untouched (read it with {@link #read}).
     *
     * @param separators one or more non-empty separators
     * @throws NullPointerException     when {@code separators} or one of them is null
     * @throws IllegalArgumentException when no separator is given or one is empty
     * @return the bytes including the separator; fails with {@link IncompleteReadException} (expected {@code -1},
     *         the bytes consumed) when EOF arrives before a match
     */
    CompletableFuture<byte[]> readUntil(byte[]... separators);

    /**
     * Reads a line: {@code readUntil("\n")}, except that at EOF it returns the partial last line (empty when nothing
     * is left) instead of failing, and that on {@link LimitOverrunException} it first discards the oversized line (up
     * to and including its {@code '\n'} when found, else the whole buffer) so that the next call starts clean.
     *
     * @return the line including its {@code '\n'}; the partial last line at EOF; empty when nothing is left
     */
    CompletableFuture<byte[]> readLine();

    /**
     * Whether the stream is at its end.
     *
     * @return true once EOF was received and every buffered byte was read
     */
    boolean atEof();

    /**
     * The failure the connection ended with; set as soon as it happens, even while buffered bytes are left.
     *
     * @return the failure, or {@code null}
     */
    Throwable exception();

    /**
     * The limit of this reader (see the class comment).
     *
     * @return the limit, in bytes
     */
    int limit();

    /**
     * Calls {@code action} for every line until EOF: asyncio's {@code async for line in reader}.
     *
     * <pre>{@code
     * reader.forEachLine(line -> {
     *     writer.write(line);
     *     return writer.drain();              // the next line is read once the peer keeps up
     * }).thenRun(writer::close);
     * }</pre>
     *
     * <p>Each line is what {@link #readLine()} returns (with its {@code '\n'}; the partial last line at EOF too).
     * The stage the action returns is waited for before the next line is read, which is the back-pressure; a
     * {@code null} stage counts as done. Lines the buffer already holds are handed on in a loop, not by recursion:
     * millions of buffered lines take no stack. The action runs on the thread that completed the read (the event
     * loop, for a connection), or on the caller's thread for lines already buffered.
     *
     * @param action called with each line; returns a stage to wait for, or {@code null}
     * @return completes at EOF; fails with the stream's failure (what {@code readLine} fails with, such as a
     *         {@link LimitOverrunException} or a reset), with what the action throws, or with its stage's failure.
     *         Cancelling it stops the loop: no further line is handed on, and a read that waits is cancelled (its
     *         bytes stay buffered)
     * @throws NullPointerException when {@code action} is null
     */
    default CompletableFuture<Void> forEachLine(Function<byte[], ? extends CompletionStage<?>> action) {
        return LineLoop.run(this, action);
    }

    /**
     * A blocking {@link InputStream} over this reader, for code that takes one ({@code BufferedReader},
     * {@code GZIPInputStream}, {@code DataInputStream}, a parser):
     *
     * <pre>{@code
     * BufferedReader lines = new BufferedReader(new InputStreamReader(
     *         new GZIPInputStream(reader.asInputStream()), UTF_8));
     * }</pre>
     *
     * <p>{@code read} blocks like {@link Await#await} (for at least one byte; -1 at EOF) and refuses on an event-loop
     * thread with {@link IllegalStateException}; it throws the connection's failure as the {@link java.io.IOException}
     * it is (a reset is a {@link java.net.SocketException}), and an interrupt as
     * {@link java.io.InterruptedIOException} (no byte lost). It never throws {@link java.io.EOFException} itself:
     * EOF is -1, and {@code DataInputStream} turns that into its own {@code EOFException} where it should.
     * {@code available()} is 0. Closing the stream closes only the view (later reads throw); the connection stays
     * open. Do not mix it with a read that is waiting on the reader.
     *
     * @return a new view; each call makes another over the same bytes
     */
    default InputStream asInputStream() {
        return new ReaderInputStream(this);
    }
}
