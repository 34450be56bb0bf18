package dev.streams.netty.reader;

import static dev.streams.netty.reader.Bytes.b;
import static dev.streams.netty.reader.Bytes.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.netty.FeedableStreamReader;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Argument and state checks, Guava style: NPE naming the argument for null, IAE naming the rule and the value for a
 * bad value, ISE for {@code feedData} after {@code feedEof} (even for empty data, and the refused buffer is still
 * released). A refused call changes nothing.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReaderArgumentsTest {

    private final FeedableStreamReader reader = NettyStreams.newReader(1024);

    @AfterEach
    void endTheStream() {
        reader.feedEof();
    }

    @ParameterizedTest(name = "readExactly({0})")
    @ValueSource(ints = {-1, -42, Integer.MIN_VALUE})
    void readExactlyOfANegativeCountIsAnIllegalArgumentNamingTheValue(int n) {
        reader.feedData(b("abc"));

        assertThatThrownBy(() -> reader.readExactly(n)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("< 0").hasMessageEndingWith(": " + n);
        assertThat(done(reader.read(10))).as("nothing taken").isEqualTo("abc");
    }

    @Test
    void readUntilWithoutASeparatorIsAnIllegalArgument() {
        assertThatThrownBy(() -> reader.readUntil()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("separator");
    }

    @Test
    void readUntilWithAnEmptySeparatorIsAnIllegalArgument() {
        assertThatThrownBy(() -> reader.readUntil(new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> reader.readUntil(b("\n"), new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1");
    }

    @Test
    void nullSeparatorsAreNullPointers() {
        assertThatThrownBy(() -> reader.readUntil((byte[][]) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("separators");
        assertThatThrownBy(() -> reader.readUntil(b("\n"), null)).isInstanceOf(NullPointerException.class)
                .hasMessage("separators[1]");
    }

    @Test
    void aRefusedReadUntilDoesNotTakeTheWaitingSlot() {
        assertThatThrownBy(() -> reader.readUntil(new byte[0])).isInstanceOf(IllegalArgumentException.class);

        reader.feedData(b("a\n"));
        assertThat(done(reader.readLine())).isEqualTo("a\n");
        assertThat(reader.readLine()).as("may wait: no slot was taken").isNotDone();
    }

    @Test
    void theSeparatorArrayIsCopied() {
        byte[] separator = b("||");
        var read = reader.readUntil(separator);
        separator[0] = 'x';
        separator[1] = 'y';

        reader.feedData(b("abxy||"));

        assertThat(done(read)).isEqualTo("abxy||");
    }

    @ParameterizedTest(name = "newReader({0})")
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void aLimitBelowOneIsAnIllegalArgumentNamingTheValue(int limit) {
        assertThatThrownBy(() -> NettyStreams.newReader(limit)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit <= 0: " + limit);
    }

    @Test
    void aLimitOfOneIsAllowed() {
        assertThat(NettyStreams.newReader(1).limit()).isEqualTo(1);
    }

    @Test
    void feedDataAfterFeedEofIsIllegalStateAndReleasesTheBuffer() {
        reader.feedEof();
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(8).writeBytes(b("late"));

        assertThatThrownBy(() -> reader.feedData(data)).isInstanceOf(IllegalStateException.class);

        assertThat(data.refCnt()).as("the refused buffer was released").isZero();
        assertThat(reader.atEof()).isTrue();
    }

    @Test
    void feedDataAfterFeedEofIsIllegalStateEvenForEmptyData() {
        reader.feedEof();
        ByteBuf empty = PooledByteBufAllocator.DEFAULT.directBuffer(8);

        assertThatThrownBy(() -> reader.feedData(empty)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> reader.feedData(Unpooled.EMPTY_BUFFER)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> reader.feedData(new byte[0])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> reader.feedData(b("x"))).isInstanceOf(IllegalStateException.class);

        assertThat(empty.refCnt()).isZero();
    }

    @Test
    void feedingEmptyDataIsANoOpThatReleasesTheBuffer() {
        ByteBuf empty = PooledByteBufAllocator.DEFAULT.directBuffer(8);
        var read = reader.read(5);

        reader.feedData(empty);
        reader.feedData(new byte[0]);

        assertThat(empty.refCnt()).isZero();
        assertThat(read).as("no bytes: the read still waits").isNotDone();
        reader.feedData(b("x"));
        assertThat(done(read)).isEqualTo("x");
    }

    @Test
    void feedDataRejectsNull() {
        assertThatThrownBy(() -> reader.feedData((ByteBuf) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("data");
        assertThatThrownBy(() -> reader.feedData((byte[]) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("data");
    }

    @Test
    void feedDataOfAnArrayCopiesIt() {
        byte[] data = b("abc");
        reader.feedData(data);
        data[0] = 'X';

        assertThat(done(reader.read(10))).isEqualTo("abc");
    }
}
