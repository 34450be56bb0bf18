package dev.streams.netty.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The separator search over unread bytes held in several network buffers (a composite, searched one buffer at a
 * time): every line and every two-byte separator is found where it is, whichever buffer it starts, ends or spans.
 */
class ReaderSearchAcrossBuffersTest {

    @Test
    void readLineFindsEveryLineWhateverBuffersHoldIt() {
        Random random = new Random(42);
        List<byte[]> lines = new ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < 300; i++) {
            byte[] line = new byte[random.nextInt(i % 7 == 0 ? 2000 : 40) + 1];
            for (int j = 0; j < line.length - 1; j++) {
                line[j] = (byte) ('a' + random.nextInt(26));
            }
            line[line.length - 1] = '\n';
            lines.add(line);
            all.writeBytes(line);
        }
        FeedableStreamReader reader = NettyStreams.newReader(64 * 1024);
        feedInPieces(reader, all.toByteArray(), random);
        for (byte[] line : lines) {
            assertThat(reader.readLine().getNow(null)).isEqualTo(line);
        }
        assertThat(reader.readLine().isDone()).isFalse(); // nothing left: the read waits
    }

    @Test
    void readUntilFindsATwoByteSeparatorSplitBetweenBuffers() {
        byte[] data = "abc\r\ndefgh\r\nij\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int cut = 1; cut < data.length; cut++) {
            FeedableStreamReader reader = NettyStreams.newReader(1024);
            reader.feedData(pooled(Arrays.copyOfRange(data, 0, cut)));
            reader.feedData(pooled(Arrays.copyOfRange(data, cut, data.length)));
            assertThat(Bytes.s(reader.readUntil(Bytes.b("\r\n")).getNow(null))).as("cut at %d", cut).isEqualTo("abc\r\n");
            assertThat(Bytes.s(reader.readUntil(Bytes.b("\r\n")).getNow(null))).as("cut at %d", cut).isEqualTo("defgh\r\n");
            assertThat(Bytes.s(reader.readUntil(Bytes.b("\r\n")).getNow(null))).as("cut at %d", cut).isEqualTo("ij\r\n");
        }
    }

    /** Feeds {@code data} as network buffers of 1 to 700 bytes, all before the first read. */
    private static void feedInPieces(FeedableStreamReader reader, byte[] data, Random random) {
        for (int at = 0; at < data.length; ) {
            int n = Math.min(data.length - at, 1 + random.nextInt(700));
            reader.feedData(pooled(Arrays.copyOfRange(data, at, at + n)));
            at += n;
        }
    }

    /** A direct buffer the reader owns once fed (as the channel's reads are). */
    private static ByteBuf pooled(byte[] bytes) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        buf.writeBytes(bytes);
        return buf;
    }
}
