package dev.streams.netty.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.netty.NettyStreamWriter;
import dev.streams.netty.NettyStreams;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonReadableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sendFile} on an {@link EmbeddedChannel}, which takes no file region, so the file goes in chunks through the
 * pipeline: what is written after it (and close()) waits behind its last chunk; cancelling its future stops nothing;
 * a file that shrinks under it fails it and closes the connection without sending what followed; the arguments and
 * the writer's state are checked like write's. The leak check fails the class if a chunk is not released.
 */
class SendFileChunksTest {

    private static final int SIZE = 3 * FileSender.CHUNK * 7 + 12_345; // several runs of the pump, an odd end

    @TempDir
    Path dir;
    private Path path;
    private byte[] content;
    private EmbeddedChannel channel;

    @BeforeEach
    void makeTheFile() throws Exception {
        content = new byte[SIZE];
        new Random(14).nextBytes(content);
        path = dir.resolve("file.bin");
        Files.write(path, content);
    }

    @AfterEach
    void releaseWhatIsLeft() {
        channel.finishAndReleaseAll();
    }

    @Test
    void whatIsWrittenAfterAFileInChunksAndTheCloseWaitBehindItsLastChunk() throws Exception {
        channel = new EmbeddedChannel();
        NettyStreamWriter writer = (NettyStreamWriter) NettyStreams.attach(channel).writer();
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            writer.write("before|".getBytes(US_ASCII));
            writable(channel, false); // the file waits for the channel to turn writable
            CompletableFuture<Long> sent = writer.sendFile(file, 100, SIZE - 100);
            writer.write("|after".getBytes(US_ASCII));
            writer.close();
            channel.runPendingTasks();
            assertThat(channel.isOpen()).as("the close waits for the file").isTrue();
            assertThat(readAll(channel)).isEqualTo("before|".getBytes(US_ASCII));
            writable(channel, true);
            ByteArrayOutputStream out = drainUntilClosed(channel);
            assertThat(sent).isCompletedWithValue((long) SIZE - 100);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(content, 100, SIZE - 100);
            expected.write("|after".getBytes(US_ASCII));
            assertThat(Arrays.mismatch(out.toByteArray(), expected.toByteArray())).as("first byte out of place")
                    .isEqualTo(-1);
            assertThat(file.isOpen()).as("the caller's file stays open").isTrue();
        }
    }

    @Test
    void cancellingTheFutureDoesNotStopTheFile() throws Exception {
        channel = new EmbeddedChannel();
        NettyStreamWriter writer = (NettyStreamWriter) NettyStreams.attach(channel).writer();
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            writable(channel, false);
            CompletableFuture<Long> sent = writer.sendFile(file, 0, SIZE);
            assertThat(sent.cancel(true)).isTrue();
            writer.write("|after".getBytes(US_ASCII));
            writer.close();
            writable(channel, true);
            byte[] out = drainUntilClosed(channel).toByteArray();
            assertThat(out.length).isEqualTo(SIZE + "|after".length());
            assertThat(Arrays.mismatch(out, 0, SIZE, content, 0, SIZE)).isEqualTo(-1);
        }
    }

    @Test
    void aFileThatShrinksFailsItsFutureAndTheConnectionAndWhatFollowsIsNotSent() throws Exception {
        channel = new EmbeddedChannel();
        NettyStreamWriter writer = (NettyStreamWriter) NettyStreams.attach(channel).writer();
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            writable(channel, false);
            CompletableFuture<Long> sent = writer.sendFile(file, 0, SIZE);
            writer.write("|after".getBytes(US_ASCII));
            CompletableFuture<Void> drained = writer.drain();
            assertThat(drained).as("the file counts against the water marks").isNotDone();
            file.truncate(SIZE / 2);
            writable(channel, true);
            byte[] out = drainUntilClosed(channel).toByteArray();
            assertThat(sent).isCompletedExceptionally();
            assertThatThrownBy(sent::get).cause().isInstanceOf(EOFException.class);
            assertThat(out.length).as("no more than the file had, nothing after it").isLessThanOrEqualTo(SIZE / 2);
            assertThat(drained).isCompletedExceptionally();
            assertThat(file.isOpen()).isTrue();
        }
    }

    @Test
    void aConnectionLostWhileTheCloseWaitsBehindTheFileFailsTheFileAndEndsTheClose() throws Exception {
        channel = new EmbeddedChannel();
        NettyStreamWriter writer = (NettyStreamWriter) NettyStreams.attach(channel).writer();
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            writable(channel, false);
            CompletableFuture<Long> sent = writer.sendFile(file, 0, SIZE);
            writer.write("|after".getBytes(US_ASCII)); // held behind the file, as is the close
            writer.close();
            channel.runPendingTasks();
            assertThat(writer.waitClosed()).as("the close waits for the file").isNotDone();
            channel.close(); // the connection is lost with the file, a buffer and the close held
            assertThat(sent).isCompletedExceptionally();
            assertThat(writer.waitClosed()).as("closed once the connection is gone").isCompleted();
            readAll(channel);
        }
    }

    @Test
    void argumentsAndTheWritersStateAreCheckedLikeAWrites() throws Exception {
        channel = new EmbeddedChannel();
        NettyStreamWriter writer = (NettyStreamWriter) NettyStreams.attach(channel).writer();
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ);
             FileChannel writeOnly = FileChannel.open(dir.resolve("out.bin"), StandardOpenOption.CREATE,
                     StandardOpenOption.WRITE)) {
            assertThatThrownBy(() -> writer.sendFile(null, 0, 1)).isInstanceOf(NullPointerException.class)
                    .hasMessage("file");
            assertThatThrownBy(() -> writer.sendFile(file, -1, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("position < 0: -1");
            assertThatThrownBy(() -> writer.sendFile(file, 0, -2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("count < 0: -2");
            assertThatThrownBy(() -> writer.sendFile(file, 10, SIZE - 9))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("position + count > the file's size: 10 + " + (SIZE - 9) + " > " + SIZE);
            assertThatThrownBy(() -> writer.sendFile(file, SIZE + 1, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> writer.sendFile(writeOnly, 0, 0)).isInstanceOf(NonReadableChannelException.class);
            assertThat(writer.sendFile(file, SIZE, 0)).isCompletedWithValue(0L);

            FileChannel closed = FileChannel.open(path, StandardOpenOption.READ);
            closed.close();
            assertThatThrownBy(() -> writer.sendFile(closed, 0, 1).get()).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ClosedChannelException.class);

            writer.close();
            assertThatThrownBy(() -> writer.sendFile(file, 0, 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("write after close()");
            assertThatThrownBy(() -> writer.sendFile(file, 0, 0)).isInstanceOf(IllegalStateException.class);
        }
    }

    /** Turns the channel's writability off or on, as a full or drained socket would (a user-defined bit). */
    private static void writable(EmbeddedChannel channel, boolean writable) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    }

    private static byte[] readAll(EmbeddedChannel channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) msg;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            out.write(bytes, 0, bytes.length);
            buf.release(); // what the socket would do once it is written
        }
        return out.toByteArray();
    }

    /** Runs the channel's tasks (the pump's next runs) until it is closed; the bytes it wrote, released. */
    private static ByteArrayOutputStream drainUntilClosed(EmbeddedChannel channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int turn = 0; turn < 10_000 && (channel.isOpen() || !channel.outboundMessages().isEmpty()); turn++) {
            channel.runPendingTasks();
            for (Object msg; (msg = channel.readOutbound()) != null; ) {
                ByteBuf buf = (ByteBuf) msg;
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                out.write(bytes, 0, bytes.length);
                buf.release(); // what the socket would do once it is written
            }
        }
        assertThat(channel.isOpen()).as("closed").isFalse();
        return out;
    }
}
