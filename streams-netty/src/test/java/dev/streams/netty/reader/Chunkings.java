package dev.streams.netty.reader;

import dev.streams.netty.FeedableStreamReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Ways to cut the same bytes into buffers and to feed them to a reader, so that every reader case can be run over
 * each of them with {@code @ParameterizedTest @MethodSource("dev.streams.netty.reader.Chunkings#all")}.
 *
 * <p>A reader's answer must not depend on how its input was cut: one buffer, one byte per buffer, random splits
 * (with a fixed seed, shown in the test name) and separators split across buffers. Each chunking also says what kind
 * of buffer carries the chunks ({@code feedData(byte[])}, wrapped heap buffers, pooled direct buffers), so the
 * reader's ownership of what it is fed is exercised too: the reader releases every {@link ByteBuf}, and the leak
 * check fails the class if it does not.
 */
public final class Chunkings {

    /** The separator the separator-splitting chunking cuts when a test names none. */
    private static final byte[][] DEFAULT_SEPARATORS = {{'\n'}};

    private Chunkings() {
    }

    /** How each chunk is handed to the reader. */
    public enum Carrier {
        /** {@code feedData(byte[])}: the reader copies. */
        BYTE_ARRAY,
        /** {@code feedData(Unpooled.wrappedBuffer(chunk))}. */
        WRAPPED_HEAP,
        /** {@code feedData(pooled direct buffer)}: the reader must release it. */
        POOLED_DIRECT
    }

    /** Cuts data (knowing the separators a test will look for) into chunk boundaries. */
    @FunctionalInterface
    interface Cutter {
        /** The indexes (exclusive of 0 and {@code data.length}) where a new chunk starts. */
        TreeSet<Integer> cuts(byte[] data, byte[][] separators);
    }

    /** One chunking strategy: how the bytes are cut and what carries each chunk. */
    public static final class Chunking {
        private final String name;
        private final Cutter cutter;
        private final Carrier carrier;

        Chunking(String name, Cutter cutter, Carrier carrier) {
            this.name = name;
            this.cutter = cutter;
            this.carrier = carrier;
        }

        /** Cuts {@code data} into non-empty chunks; {@code separators} matter only to the separator-splitting one. */
        public List<byte[]> split(byte[] data, byte[]... separators) {
            byte[][] seps = separators.length == 0 ? DEFAULT_SEPARATORS : separators;
            List<byte[]> chunks = new ArrayList<>();
            int from = 0;
            for (int cut : cutter.cuts(data, seps)) {
                if (cut > from && cut < data.length) {
                    chunks.add(Arrays.copyOfRange(data, from, cut));
                    from = cut;
                }
            }
            if (from < data.length) {
                chunks.add(Arrays.copyOfRange(data, from, data.length));
            }
            return chunks;
        }

        /** Feeds one chunk the way this chunking carries it. */
        public void feed(FeedableStreamReader reader, byte[] chunk) {
            switch (carrier) {
                case BYTE_ARRAY:
                    reader.feedData(chunk);
                    break;
                case WRAPPED_HEAP:
                    reader.feedData(Unpooled.wrappedBuffer(chunk.clone()));
                    break;
                default:
                    ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(chunk.length);
                    direct.writeBytes(chunk);
                    reader.feedData(direct); // the reader owns it from here
                    break;
            }
        }

        /** Cuts {@code data} and feeds every chunk. */
        public void feedAll(FeedableStreamReader reader, byte[] data, byte[]... separators) {
            for (byte[] chunk : split(data, separators)) {
                feed(reader, chunk);
            }
        }

        public Carrier carrier() {
            return carrier;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Every chunking: the argument source of the parameterized reader tests. */
    public static Stream<Chunking> all() {
        return Stream.of(
                oneBuffer(Carrier.WRAPPED_HEAP),
                oneBytePerBuffer(Carrier.BYTE_ARRAY),
                oneBytePerBuffer(Carrier.POOLED_DIRECT),
                randomSplits(20261125L, Carrier.POOLED_DIRECT),
                randomSplits(7L, Carrier.BYTE_ARRAY),
                separatorsSplit(Carrier.WRAPPED_HEAP));
    }

    /** All the bytes in one buffer. */
    public static Chunking oneBuffer(Carrier carrier) {
        return new Chunking("one buffer (" + carrier + ")", (data, seps) -> new TreeSet<>(), carrier);
    }

    /** One byte per buffer (Okio's torture source). */
    public static Chunking oneBytePerBuffer(Carrier carrier) {
        return new Chunking("one byte per buffer (" + carrier + ")", (data, seps) -> {
            TreeSet<Integer> cuts = new TreeSet<>();
            for (int i = 1; i < data.length; i++) {
                cuts.add(i);
            }
            return cuts;
        }, carrier);
    }

    /** Chunks of 1 to 7 bytes, sizes drawn from {@code new Random(seed)}: the same cuts on every run. */
    public static Chunking randomSplits(long seed, Carrier carrier) {
        return new Chunking("random splits, seed=" + seed + " (" + carrier + ")", (data, seps) -> {
            Random random = new Random(seed);
            TreeSet<Integer> cuts = new TreeSet<>();
            for (int at = 1 + random.nextInt(7); at < data.length; at += 1 + random.nextInt(7)) {
                cuts.add(at);
            }
            return cuts;
        }, carrier);
    }

    /**
     * Cuts every occurrence of every separator in its middle, so that a separator is split across two buffers; a
     * one-byte separator starts a buffer of its own and is followed by a cut too.
     */
    public static Chunking separatorsSplit(Carrier carrier) {
        return new Chunking("separator split across buffers (" + carrier + ")", (data, seps) -> {
            TreeSet<Integer> cuts = new TreeSet<>();
            for (byte[] separator : seps) {
                for (int start = indexOf(data, separator, 0); start >= 0;
                        start = indexOf(data, separator, start + 1)) {
                    cuts.add(separator.length == 1 ? start : start + separator.length / 2);
                    cuts.add(start + separator.length);
                }
            }
            return cuts;
        }, carrier);
    }

    static int indexOf(byte[] data, byte[] separator, int from) {
        outer:
        for (int i = from; i <= data.length - separator.length; i++) {
            for (int j = 0; j < separator.length; j++) {
                if (data[i + j] != separator[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
