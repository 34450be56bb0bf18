package dev.streams.netty.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.netty.NettyStreams;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Writes from a thread other than the event loop (blocking handlers) are gathered like writes on it: the small ones
 * that come before the event loop takes the hand-off queue share one buffer, in order. An outbound handler in front
 * of the stream handler records every buffer the writer hands to the channel.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WriterGatheringTest {

    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());

    private final List<String> handedOver = new CopyOnWriteArrayList<>();
    /** Run once by the recording handler, on the event loop, after it recorded the next buffer handed over. */
    private volatile Runnable onHandOver;
    private Channel server;
    private Channel client;
    private StreamConnection connection;

    @AfterAll
    static void shutdown() {
        GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void connect() throws Exception {
        LocalAddress address = new LocalAddress("writer-gathering-" + System.nanoTime());
        server = new ServerBootstrap().group(GROUP).channel(LocalServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        io.netty.util.ReferenceCountUtil.release(msg); // the peer only swallows what it gets
                    }
                })
                .bind(address).sync().channel();
        client = new Bootstrap().group(GROUP).channel(LocalChannel.class)
                .handler(new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                        handedOver.add(((ByteBuf) msg).toString(US_ASCII)); // recorded; ownership passes on
                        Runnable hook = onHandOver;
                        onHandOver = null;
                        if (hook != null) {
                            hook.run();
                        }
                        ctx.write(msg, promise);
                    }
                })
                .connect(address).sync().channel();
        connection = NettyStreams.attach(client);
    }

    @AfterEach
    void close() {
        client.close().syncUninterruptibly();
        server.close().syncUninterruptibly();
    }

    /** Holds the event loop until the returned latch is counted down, so that writes queue up meanwhile. */
    private CountDownLatch holdTheEventLoop() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        client.eventLoop().execute(() -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        held.await();
        return release;
    }

    @Test
    void smallWritesFromAnotherThreadShareOneBufferInOrder() throws Exception {
        CountDownLatch release = holdTheEventLoop();
        connection.writer().write("one\n".getBytes(US_ASCII));
        connection.writer().write("two\n".getBytes(US_ASCII));
        connection.writer().writeLines(List.of("three\n".getBytes(US_ASCII), "four\n".getBytes(US_ASCII)));
        release.countDown();
        connection.writer().drain().get(5, TimeUnit.SECONDS);
        client.eventLoop().submit(() -> { }).sync(); // the writer's task has run
        assertThat(handedOver).containsExactly("one\ntwo\nthree\nfour\n");
    }

    @Test
    void aLargeWriteGetsItsOwnBufferBetweenTheGatheredOnes() throws Exception {
        String large = "x".repeat(WriteQueue.PENDING_CAPACITY);
        CountDownLatch release = holdTheEventLoop();
        connection.writer().write("a".getBytes(US_ASCII));
        connection.writer().write(large.getBytes(US_ASCII));
        connection.writer().write("b".getBytes(US_ASCII));
        connection.writer().write("c".getBytes(US_ASCII));
        release.countDown();
        client.eventLoop().submit(() -> { }).sync();
        assertThat(handedOver).containsExactly("a", large, "bc");
    }

    @Test
    void aLargeWriteRefusedAfterCloseTakesNothingAndHoldsNothing() throws Exception {
        connection.writer().close();
        java.nio.ByteBuffer large = java.nio.ByteBuffer.allocate(2 * WriteQueue.PENDING_CAPACITY);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> connection.writer().write(large))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("close");
        assertThat(large.position()).as("nothing taken from the refused buffer").isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> connection.writer().write(new byte[large.capacity()]))
                .isInstanceOf(IllegalStateException.class); // the copy made before the check is released (leak check)
    }

    @Test
    void writesAfterTheEventLoopTookTheQueueGoIntoANewBuffer() throws Exception {
        connection.writer().write("first\n".getBytes(US_ASCII));
        client.eventLoop().submit(() -> { }).sync(); // the writer's task took the queue and wrote it
        connection.writer().write("second\n".getBytes(US_ASCII));
        client.eventLoop().submit(() -> { }).sync();
        assertThat(handedOver).containsExactly("first\n", "second\n");
    }

    @Test
    void writesOnTheEventLoopComeAfterTheHandOffQueueThatPrecededThem() throws Exception {
        CountDownLatch release = holdTheEventLoop();
        connection.writer().write("from a thread\n".getBytes(US_ASCII));
        client.eventLoop().execute(() -> connection.writer().write("from the loop\n".getBytes(US_ASCII)));
        release.countDown();
        client.eventLoop().submit(() -> { }).sync();
        client.eventLoop().submit(() -> { }).sync();
        assertThat(String.join("", handedOver)).isEqualTo("from a thread\nfrom the loop\n");
    }

    @Test
    void anOutboundHandlerRunByAWriteOnTheEventLoopDoesNotHoldUpWritesFromOtherThreads() throws Exception {
        // A write of PENDING_CAPACITY bytes on the event loop goes to the channel at once, so the outbound handler
        // runs inside writer.write(). There it waits (bounded) for a write from another thread. Were the writer's
        // hand-over lock held around channel.write, that write could not finish: a lock-order deadlock, which the
        // bounded wait turns into a failure.
        AtomicBoolean otherWriteReturned = new AtomicBoolean();
        onHandOver = () -> {
            Thread other = new Thread(() -> connection.writer().write("other\n".getBytes(US_ASCII)));
            other.start();
            try {
                other.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            otherWriteReturned.set(!other.isAlive());
        };
        String large = "x".repeat(WriteQueue.PENDING_CAPACITY);
        client.eventLoop().submit(() -> connection.writer().write(large.getBytes(US_ASCII))).sync();
        client.eventLoop().submit(() -> { }).sync(); // the writer's task has written the other thread's bytes
        assertThat(otherWriteReturned).as("the other thread's write returned while the handler ran").isTrue();
        assertThat(handedOver).containsExactly(large, "other\n");
    }
}
