package dev.streams.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The work a line echo does per line beyond a raw echo, which hands the buffer it received back untouched, one step
 * at a time: find the newline ({@code search}: what {@code LineBasedFrameDecoder} adds, besides a slice), then, under the asyncio
 * contract, copy the line out into the {@code byte[]} that {@code readLine} returns ({@code copyOut}) and copy that
 * array into a pooled buffer for the channel ({@code copyIn}: what {@code write} does). No implementation of the
 * contract can do less, so these figures bound the ratio against raw Netty from above (PERFORMANCE.md works it out).
 */
public class LineFloorBenchmark extends ShortRun {

    @Param({"100", "16384"})
    int size;

    private ByteBuf line;
    private byte[] array;

    @Setup(Level.Trial)
    public void setUp() {
        line = Chunks.lines(size, 1);
        array = new byte[size];
        line.getBytes(line.readerIndex(), array);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        line.release();
    }

    @Benchmark
    public int search() {
        return line.indexOf(line.readerIndex(), line.writerIndex(), (byte) '\n');
    }

    /** As the reader copies a line out: a new array, filled through the buffer's NIO view. */
    @Benchmark
    public byte[] copyOut() {
        byte[] bytes = new byte[line.readableBytes()];
        line.internalNioBuffer(line.readerIndex(), bytes.length).get(bytes);
        return bytes;
    }

    /** As the writer takes an array: a pooled buffer filled from it (released here instead of by the channel). */
    @Benchmark
    public int copyIn() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.ioBuffer(array.length);
        buf.writeBytes(array);
        int written = buf.readableBytes();
        buf.release();
        return written;
    }
}
