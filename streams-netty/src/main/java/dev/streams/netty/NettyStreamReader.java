package dev.streams.netty;

import dev.streams.StreamReader;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * The reader of a Netty connection: a {@link StreamReader} plus reads that hand the network buffers over instead of
 * copying them. Every reader this library makes is one (cast a handler's {@code StreamReader}).
 *
 * <pre>{@code
 * NettyStreamReader in = (NettyStreamReader) reader;
 * NettyStreamWriter out = (NettyStreamWriter) writer;
 * ByteBuf line;
 * while ((line = await(in.readLineBuf())).isReadable()) {   // empty at EOF
 *     out.write(line);                                       // the writer takes it over: no copy, no release here
 * }
 * }</pre>
 *
 * <p><b>Ownership.</b> Each {@code ByteBuf} these reads complete with is a retained slice of a network buffer, or a
 * composite of retained slices when the bytes arrived in several buffers: <b>the caller owns it and must release
 * it</b> (or hand it to {@link NettyStreamWriter#write(ByteBuf)}, which takes it over). Until then it keeps its
 * network buffers alive; that memory is not counted against the reader's limit. At EOF the answer is an empty
 * buffer (releasing it is harmless). A read that is cancelled or times out takes nothing, so nothing leaks; a future
 * that completed with a buffer must have its value taken and released.
 *
 * <p>Semantics, limits and failures are those of the {@code byte[]} twin of each read; the partial bytes of an
 * {@link dev.streams.IncompleteReadException} are a {@code byte[]} copy.
 */
public interface NettyStreamReader extends StreamReader {

    /**
     * {@link #read(int)}, handing the bytes over as a buffer.
     *
     * @param n as for {@link #read(int)}: at most {@code n} bytes; {@code n < 0} everything up to EOF
     * @return the bytes, owned by the caller; empty at EOF
     */
    CompletableFuture<ByteBuf> readBuf(int n);

    /**
     * {@link #readExactly(int)}, handing the bytes over as a buffer.
     *
     * @param n the number of bytes
     * @return the bytes, owned by the caller; fails with {@link dev.streams.IncompleteReadException} at EOF first
     * @throws IllegalArgumentException when {@code n < 0}
     */
    CompletableFuture<ByteBuf> readExactlyBuf(int n);

    /**
     * {@link #readLine()}, handing the line over as a buffer.
     *
     * @return the line with its {@code '\n'}, owned by the caller; the partial last line at EOF; empty when nothing
     *         is left
     */
    CompletableFuture<ByteBuf> readLineBuf();

    /**
     * {@link #readUntil(byte[]...)}, handing the bytes over as a buffer.
     *
     * @param separators one or more non-empty separators
     * @return the bytes up to and including the separator, owned by the caller
     * @throws NullPointerException     when {@code separators} or one of them is null
     * @throws IllegalArgumentException when no separator is given or one is empty
     */
    CompletableFuture<ByteBuf> readUntilBuf(byte[]... separators);
}
