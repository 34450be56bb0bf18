package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streams.Await;
import dev.streams.BlockingClientHandler;
import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.BlockingSchedulers;
import dev.streams.netty.testing.TransportGroups;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who carries blocking handlers ({@link BlockingScheduler}), and what each scheduler keeps true: a handler blocked in a
 * JDK socket or on a monitor stalls no other connection; a handler that computes delays only the connections of its
 * own event loop under {@code EVENT_LOOP} (the async API's trade-off) and none under the others; {@code Await} refuses
 * the event loop itself but works in a handler thread it carries; interrupts and timeouts keep their meaning; shutting
 * the group down ends parked handlers; the pool's limit on Java 17; AUTO's choice and the errors for what is missing.
 * Every test runs on every scheduler this JVM offers, on servers with their own small event loop group.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingSchedulerTest {

    private static final String HOST = "127.0.0.1";
    private static final long HANG_SECONDS = 20;

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    /** A server group of its own with {@code loops} event loops, on the preferred transport. */
    private static EventLoopGroup group(int loops) {
        Transport transport = Transport.preferred();
        return new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("scheduler-test", true),
                transport.ioHandlerFactory());
    }

    private static StreamServer start(BlockingClientHandler handler, EventLoopGroup group,
                                      BlockingScheduler scheduler) throws IOException {
        return await(NettyStreams.startBlockingServer(handler, HOST, 0, ServerOptions.builder()
                .eventLoopGroup(group).blockingScheduler(scheduler).build()));
    }

    /** A client on the shared test group: never on the server's loops. */
    private static StreamConnection connect(StreamServer server) throws IOException {
        int port = ((InetSocketAddress) server.localAddresses().get(0)).getPort();
        return await(NettyStreams.openConnection(HOST, port, ConnectOptions.builder()
                .eventLoopGroup(TransportGroups.group(Transport.preferred())).build()));
    }

    private static void send(StreamConnection connection, String text) throws IOException {
        connection.writer().write(text.getBytes(UTF_8));
        await(connection.writer().drain());
    }

    private static String line(StreamConnection connection) throws Exception {
        return new String(within(connection.reader().readLine().toCompletableFuture()), UTF_8);
    }

    private static <T> T within(CompletableFuture<T> future) throws Exception {
        return future.get(HANG_SECONDS, TimeUnit.SECONDS);
    }

    private static void stop(StreamServer server, EventLoopGroup group) throws Exception {
        server.close();
        server.closeClients();
        within(server.waitClosed());
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    // ---------------------------------------------------------------------------------------------- choice

    @Test
    void autoTakesTheEventLoopFromJava24AndTheJdkSchedulerOrThePoolBefore() {
        int java = Runtime.version().feature();
        BlockingScheduler expected = java >= 24 ? BlockingScheduler.EVENT_LOOP
                : java >= 21 ? BlockingScheduler.VIRTUAL : BlockingScheduler.POOL;
        assertThat(BlockingExecutor.resolve(BlockingScheduler.AUTO)).isEqualTo(expected);
        assertThat(ServerOptions.DEFAULTS.blockingScheduler()).isEqualTo(BlockingScheduler.AUTO);
        assertThatThrownBy(() -> ServerOptions.builder().blockingScheduler(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void everySchedulerOfThisJvmIsTested() {
        List<BlockingScheduler> expected = Runtime.version().feature() >= 21
                ? List.of(BlockingScheduler.EVENT_LOOP, BlockingScheduler.VIRTUAL, BlockingScheduler.POOL)
                : List.of(BlockingScheduler.POOL);
        assertThat(BlockingSchedulers.available()).as("the build opens java.base/java.lang to the tests on 21+")
                .containsExactlyElementsOf(expected);
    }

    @Test
    void askingForASchedulerThisJvmLacksFailsTheStartAndSaysWhatToAdd() {
        assumeTrue(Runtime.version().feature() < 21, "Java 21+ has them all (see the child-JVM test)");
        assertThatThrownBy(() -> NettyStreams.startBlockingServer((r, w) -> { }, HOST, 0, ServerOptions.builder()
                .blockingScheduler(BlockingScheduler.EVENT_LOOP).build()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("EVENT_LOOP")
                .hasMessageContaining("Java 21");
        assertThatThrownBy(() -> NettyStreams.startBlockingServer((r, w) -> { }, HOST, 0, ServerOptions.builder()
                .blockingScheduler(BlockingScheduler.VIRTUAL).build()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("VIRTUAL")
                .hasMessageContaining("Java 21");
    }

    @Test
    void withoutTheAddOpensFlagEventLoopFailsNamingTheFlagAndAutoTakesTheJdkScheduler() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "before Java 21 the flag would not help");
        Path out = Files.createTempFile("scheduler-main", ".out");
        try {
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    SchedulerWithoutFlagMain.class.getName())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            boolean exited = child.waitFor(HANG_SECONDS * 3, TimeUnit.SECONDS);
            if (!exited) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(out);
            assertThat(exited).as(output).isTrue();
            assertThat(output).contains("AUTO -> VIRTUAL")
                    .contains("IllegalStateException: BlockingScheduler.EVENT_LOOP is not available")
                    .contains("--add-opens java.base/java.lang=ALL-UNNAMED");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.AVAILABLE)
    void aServerSaysOnceAtInfoWhichSchedulerItUses(BlockingScheduler scheduler) throws Exception {
        EventLoopGroup group = group(1);
        try (Records records = Records.of(BlockingExecutor.class,
                r -> r.getLevel() == Level.INFO && r.getMessage().contains("blocking handlers run on"))) {
            StreamServer server = start((reader, writer) -> { }, group, scheduler);
            LogRecord said = within(records.first);
            assertThat(said.getMessage()).contains(server.toString()).contains(scheduler.name());
            try (StreamConnection client = connect(server)) {
                assertThat(within(client.reader().read(-1))).isEmpty();
            }
            stop(server, group);
            assertThat(records.matching).hasSize(1);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------------------------------------- safety

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.AVAILABLE)
    void aHandlerBlockedInAJdkSocketStallsNoOtherConnectionOfItsLoop(BlockingScheduler scheduler) throws Exception {
        EventLoopGroup group = group(1); // one loop: both connections on it
        try (ServerSocket slowPeer = new ServerSocket(0, 10, InetAddress.getByName(HOST))) {
            StreamServer server = start((reader, writer) -> {
                byte[] line;
                while ((line = await(reader.readLine())).length > 0) {
                    if (new String(line, UTF_8).equals("call\n")) {
                        try (Socket socket = new Socket(HOST, slowPeer.getLocalPort())) {
                            int answer = socket.getInputStream().read(); // the JDK's blocking socket
                            writer.write(bytes("the peer said " + (char) answer + "\n"));
                        }
                    } else {
                        writer.write(line);
                    }
                    await(writer.drain());
                }
            }, group, scheduler);
            try (StreamConnection caller = connect(server); StreamConnection other = connect(server)) {
                send(caller, "call\n");
                try (Socket accepted = slowPeer.accept()) { // the caller's handler is connected, and reads
                    send(other, "ping\n");
                    assertThat(line(other)).as("answered while the other handler waits in a JDK socket")
                            .isEqualTo("ping\n");
                    accepted.getOutputStream().write('x');
                    assertThat(line(caller)).isEqualTo("the peer said x\n");
                }
            } finally {
                stop(server, group);
            }
        }
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.AVAILABLE)
    void aHandlerWaitingForAMonitorStallsNoOtherConnectionOfItsLoop(BlockingScheduler scheduler) throws Exception {
        // The measurement behind AUTO: before Java 24 a virtual thread blocked on a monitor pins its carrier, and an
        // event loop that carries it stops (this test hangs there); from 24 on it unmounts.
        assumeTrue(scheduler != BlockingScheduler.EVENT_LOOP || Runtime.version().feature() >= 24,
                "Java 21-23 pin a virtual thread on a monitor: why AUTO takes EVENT_LOOP only from 24");
        Object monitor = new Object();
        EventLoopGroup group = group(1);
        StreamServer server = start((reader, writer) -> {
            byte[] line;
            while ((line = await(reader.readLine())).length > 0) {
                if (new String(line, UTF_8).equals("lock\n")) {
                    synchronized (monitor) {
                        writer.write(bytes("locked\n"));
                    }
                } else {
                    writer.write(line);
                }
                await(writer.drain());
            }
        }, group, scheduler);
        try (StreamConnection locker = connect(server); StreamConnection other = connect(server)) {
            synchronized (monitor) {
                send(locker, "lock\n");
                send(other, "ping\n");
                assertThat(line(other)).as("answered while the other handler waits for the monitor")
                        .isEqualTo("ping\n");
            }
            assertThat(line(locker)).isEqualTo("locked\n");
        } finally {
            stop(server, group);
        }
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.AVAILABLE)
    void aHandlerThatComputesDelaysOnlyTheConnectionsOfItsOwnLoopAndOnlyOnTheEventLoop(BlockingScheduler scheduler)
            throws Exception {
        EventLoopGroup group = group(2);
        AtomicInteger clock = new AtomicInteger(); // orders the handlers' steps; no timing
        Map<String, Integer> handledAt = new ConcurrentHashMap<>();
        CompletableFuture<Void> burning = new CompletableFuture<>();
        AtomicBoolean mayStop = new AtomicBoolean();
        StreamServer server = start((reader, writer) -> {
            EventLoop loop = Internals.channel(writer).eventLoop();
            byte[] line;
            while ((line = await(reader.readLine())).length > 0) {
                String text = new String(line, UTF_8);
                if (text.equals("loop?\n")) {
                    writer.write(bytes(System.identityHashCode(loop) + "\n"));
                } else if (text.equals("burn\n")) {
                    burning.complete(null);
                    long start = System.nanoTime();
                    long sum = 0;
                    while (!mayStop.get() || System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(200)) {
                        sum += Long.numberOfTrailingZeros(System.nanoTime()); // CPU, no parking
                    }
                    handledAt.put("burn", clock.incrementAndGet());
                    writer.write(bytes("burnt " + Long.signum(sum + 1) + "\n"));
                } else {
                    handledAt.put(text.trim(), clock.incrementAndGet());
                    writer.write(line);
                }
                await(writer.drain());
            }
        }, group, scheduler);
        List<StreamConnection> clients = new ArrayList<>();
        try {
            List<String> loops = new ArrayList<>();
            for (int i = 0; i < 4; i++) { // round robin over two loops: both appear
                StreamConnection client = connect(server);
                clients.add(client);
                send(client, "loop?\n");
                loops.add(line(client));
            }
            StreamConnection burner = clients.get(0);
            StreamConnection sameLoop = clients.get(loops.lastIndexOf(loops.get(0)));
            StreamConnection otherLoop = clients.get(loops.indexOf(loops.stream()
                    .filter(l -> !l.equals(loops.get(0))).findFirst().orElseThrow()));
            assertThat(sameLoop).isNotSameAs(burner);

            send(burner, "burn\n");
            within(burning);
            send(sameLoop, "same\n");
            send(otherLoop, "other\n");
            assertThat(line(otherLoop)).as("the other loop answers during the burn").isEqualTo("other\n");
            if (scheduler == BlockingScheduler.EVENT_LOOP) {
                mayStop.set(true);
                assertThat(line(burner)).isEqualTo("burnt 1\n");
                assertThat(line(sameLoop)).isEqualTo("same\n");
                assertThat(handledAt.get("same")).as("the burner's loop served its other connection only after")
                        .isGreaterThan(handledAt.get("burn"));
            } else {
                assertThat(line(sameLoop)).as("a pool or the JDK's scheduler serves it during the burn")
                        .isEqualTo("same\n");
                mayStop.set(true);
                assertThat(line(burner)).isEqualTo("burnt 1\n");
                assertThat(handledAt.get("same")).isLessThan(handledAt.get("burn"));
            }
            assertThat(handledAt.get("other")).isLessThan(handledAt.get("burn"));
        } finally {
            mayStop.set(true);
            for (StreamConnection client : clients) {
                client.close();
            }
            stop(server, group);
        }
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.AVAILABLE)
    void awaitRefusesTheEventLoopButWorksInTheHandlerThreadItCarries(BlockingScheduler scheduler) throws Exception {
        EventLoopGroup group = group(1);
        StreamServer server = start((reader, writer) -> {
            CompletableFuture<String> onTheLoop = new CompletableFuture<>();
            Internals.channel(writer).eventLoop().execute(() -> {
                try {
                    Await.await(new CompletableFuture<Void>());
                    onTheLoop.complete("waited");
                } catch (IllegalStateException refused) {
                    onTheLoop.complete("refused");
                } catch (IOException | RuntimeException other) {
                    onTheLoop.complete(other.toString());
                }
            });
            String answer = await(onTheLoop); // blocks this handler thread, carried or not
            boolean carried = ((ChannelStreamWriter) writer).queue().carried();
            writer.write(bytes(answer + " " + await(reader.readLine(), Duration.ofSeconds(HANG_SECONDS)).length
                    + " carried=" + carried + "\n"));
        }, group, scheduler);
        try (StreamConnection client = connect(server)) {
            send(client, "four\n");
            assertThat(line(client)).isEqualTo("refused 5 carried=" + (scheduler == BlockingScheduler.EVENT_LOOP)
                    + "\n");
        } finally {
            stop(server, group);
        }
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.AVAILABLE)
    void interruptsAndTimeoutsKeepTheirMeaning(BlockingScheduler scheduler) throws Exception {
        EventLoopGroup group = group(1);
        CompletableFuture<Thread> handlerThread = new CompletableFuture<>();
        StreamServer server = start((reader, writer) -> {
            try {
                await(reader.readLine(), Duration.ofMillis(50)); // the client sends nothing until it hears why
                writer.write(bytes("no timeout\n"));
            } catch (SocketTimeoutException timedOut) {
                writer.write(bytes("timed out\n"));
            }
            await(writer.drain());
            handlerThread.complete(Thread.currentThread());
            try {
                await(reader.readLine());
                writer.write(bytes("not interrupted\n"));
            } catch (InterruptedIOException interrupted) {
                writer.write(bytes("interrupted, status " + Thread.interrupted() + "\n"));
            }
            writer.write(await(reader.readLine())); // the stream is still usable: nothing was lost
        }, group, scheduler);
        try (StreamConnection client = connect(server)) {
            assertThat(line(client)).isEqualTo("timed out\n");
            within(handlerThread).interrupt();
            assertThat(line(client)).isEqualTo("interrupted, status true\n");
            send(client, "after\n");
            assertThat(line(client)).isEqualTo("after\n");
        } finally {
            stop(server, group);
        }
    }

    @ParameterizedTest
    @MethodSource(BlockingSchedulers.AVAILABLE)
    void shuttingTheGroupDownEndsTheHandlersParkedInIt(BlockingScheduler scheduler) throws Exception {
        EventLoopGroup group = group(1);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        List<String> outcomes = new CopyOnWriteArrayList<>();
        CountDownLatch parking = new CountDownLatch(2);
        CountDownLatch returned = new CountDownLatch(2);
        StreamServer server = start((reader, writer) -> {
            try {
                String role = new String(await(reader.readLine()), UTF_8).trim();
                parking.countDown();
                if (role.equals("gate")) {
                    await(gate); // parked on something that is not the connection
                }
                try {
                    // The connection is gone by now, or goes while this waits.
                    outcomes.add(role + (await(reader.readLine()).length == 0 ? ": EOF" : ": a line"));
                } catch (IOException failed) {
                    outcomes.add(role + ": EOF"); // reset or closed: the read ends either way
                }
            } finally {
                returned.countDown();
            }
        }, group, scheduler);
        try (StreamConnection reading = connect(server); StreamConnection gated = connect(server)) {
            send(reading, "read\n");
            send(gated, "gate\n");
            assertThat(parking.await(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            assertThat(group.awaitTermination(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
            gate.complete(null); // resumes a handler whose event loop is gone
            assertThat(returned.await(HANG_SECONDS, TimeUnit.SECONDS)).as("both handlers returned").isTrue();
            assertThat(outcomes).containsExactlyInAnyOrder("read: EOF", "gate: EOF");
        } finally {
            server.close();
        }
    }

    // ---------------------------------------------------------------------------------------------- writes

    @Test
    void aHandlerCarriedByItsLoopWritesLikeTheLoopAndIsFlushedWhenItParks() throws Exception {
        assumeTrue(BlockingSchedulers.isAvailable(BlockingScheduler.EVENT_LOOP), "EVENT_LOOP needs Java 21+");
        EventLoopGroup group = group(1);
        List<String> writtenFrom = new CopyOnWriteArrayList<>();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 12; i++) { // small and large writes: more than one pending buffer's worth
            expected.append(String.valueOf((char) ('a' + i)).repeat(i % 3 == 2 ? 3000 : 700)).append('\n');
        }
        StreamServer server = start((reader, writer) -> {
            Internals.channel(writer).pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                    if (msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
                        writtenFrom.add(caller());
                    }
                    super.write(ctx, msg, promise);
                }
            });
            await(reader.readLine());
            String[] lines = expected.toString().split("(?<=\n)");
            for (int i = 0; i < 4; i++) {
                writer.write(bytes(lines[i])); // gathered while carried
            }
            AtomicBoolean written = new AtomicBoolean();
            new Thread(() -> { // another thread: the hand-off queue
                writer.write(bytes(lines[4]));
                written.set(true);
            }).start();
            while (!written.get()) {
                Thread.onSpinWait(); // waits without parking: nothing has been flushed yet
            }
            writer.write(bytes(lines[5]));
            Thread other = new Thread(() -> writer.write(bytes(lines[6])));
            other.start();
            other.join(); // parks this thread (unless the other is done): what it wrote so far goes out first
            for (int i = 7; i < lines.length; i++) {
                writer.write(bytes(lines[i]));
            }
            await(reader.readLine());
        }, group, BlockingScheduler.EVENT_LOOP);
        try (StreamConnection client = connect(server)) {
            send(client, "go\n");
            byte[] got = within(client.reader().readExactly(expected.length()));
            assertThat(new String(got, UTF_8)).isEqualTo(expected.toString());
            // The handler's own writes go out when it parks; only the other thread's (line 6) may be written by the
            // writer's task, when that task runs before the handler resumes from join().
            assertThat(writtenFrom).as("who handed each buffer to the channel").contains("LoopCarrier")
                    .doesNotContain("elsewhere").filteredOn("the writer's task"::equals).hasSizeLessThanOrEqualTo(1);
        } finally {
            stop(server, group);
        }
    }

    @Test
    void aCarriedWriteThatParksHalfWayIsSentWholeAndInOrder() throws Exception {
        assumeTrue(BlockingSchedulers.isAvailable(BlockingScheduler.EVENT_LOOP), "EVENT_LOOP needs Java 21+");
        EventLoopGroup group = group(1);
        int blocks = 40;
        int size = 3000; // more than a pending buffer holds: each write takes a new one
        StreamServer server = start((reader, writer) -> {
            Channel channel = Internals.channel(writer);
            Thread handler = Thread.currentThread();
            // The allocator parks the handler thread (as a contended lock in a real allocator may), which ends its
            // run on the loop in the middle of a write; the loop flushes meanwhile.
            channel.config().setAllocator(new ParkingAllocator(channel.alloc(), handler));
            await(reader.readLine());
            byte[] block = new byte[size];
            for (int b = 0; b < blocks; b++) {
                java.util.Arrays.fill(block, (byte) ('A' + b % 26));
                writer.write(block);
                if (b % 8 == 7) {
                    await(writer.drain());
                }
            }
            await(reader.readLine());
        }, group, BlockingScheduler.EVENT_LOOP);
        try (StreamConnection client = connect(server)) {
            send(client, "go\n");
            byte[] got = within(client.reader().readExactly(blocks * size));
            for (int i = 0; i < got.length; i++) {
                if (got[i] != (byte) ('A' + i / size % 26)) {
                    throw new AssertionError("wrong byte at " + i + " (block " + i / size + "): " + (char) got[i]);
                }
            }
        } finally {
            stop(server, group);
        }
    }

    /** Parks {@code parked} (briefly) in each direct allocation it makes; delegates everything. */
    private static final class ParkingAllocator extends AbstractByteBufAllocator {
        private final ByteBufAllocator real;
        private final Thread parked;

        ParkingAllocator(ByteBufAllocator real, Thread parked) {
            super(true);
            this.real = real;
            this.parked = parked;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return real.heapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            if (Thread.currentThread() == parked) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // a park, not a wait for anything
            }
            return real.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return real.isDirectBufferPooled();
        }
    }

    /** Which of the writer's two routes handed the buffer being written to the channel. */
    private static String caller() {
        for (StackTraceElement frame : new Throwable().getStackTrace()) {
            if (frame.getClassName().equals(LoopCarrier.class.getName())) {
                return "LoopCarrier";
            }
            if (frame.getClassName().equals(WriteQueue.class.getName())
                    && frame.getMethodName().equals("run")) {
                return "the writer's task";
            }
        }
        return "elsewhere";
    }

    // ---------------------------------------------------------------------------------------------- the pool

    @Test
    void aFullPoolLeavesTheNextConnectionWaitingAndSaysSoOnce() throws Exception {
        EventLoopGroup group = group(1);
        AtomicInteger clock = new AtomicInteger();
        Map<String, Integer> at = new ConcurrentHashMap<>();
        try (Records records = Records.of(BlockingExecutor.class, r -> r.getLevel() == Level.WARNING)) {
            StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
                byte[] first = await(reader.readLine());
                String name = new String(first, UTF_8).trim();
                at.put(name + " started", clock.incrementAndGet());
                writer.write(first);
                await(writer.drain());
                await(reader.read(-1)); // idle until the client leaves
                at.put(name + " ended", clock.incrementAndGet());
            }, HOST, 0, ServerOptions.builder().eventLoopGroup(group).blockingScheduler(BlockingScheduler.POOL)
                    .blockingThreads(2).build()));
            try {
                StreamConnection one = connect(server);
                StreamConnection two = connect(server);
                send(one, "one\n");
                send(two, "two\n");
                assertThat(line(one)).isEqualTo("one\n");
                assertThat(line(two)).isEqualTo("two\n");
                StreamConnection three = connect(server); // both threads held by idle clients
                StreamConnection four = connect(server);
                send(three, "three\n");
                send(four, "four\n");
                LogRecord warning = within(records.first);
                assertThat(warning.getMessage()).contains("all 2 blocking threads are taken")
                        .contains("idle timeout");
                one.close();
                assertThat(line(three)).isEqualTo("three\n");
                assertThat(at.get("three started")).as("three was served only once one's handler returned")
                        .isGreaterThan(at.get("one ended"));
                two.close();
                assertThat(line(four)).isEqualTo("four\n");
                assertThat(at.get("four started")).isGreaterThan(at.get("two ended"));
                three.close();
                four.close();
                assertThat(records.matching).as("said once").hasSize(1);
            } finally {
                stop(server, group);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Log records of one class's logger (Netty logs through java.util.logging here) that match a condition. */
    private static final class Records extends Handler implements AutoCloseable {
        final List<LogRecord> matching = new CopyOnWriteArrayList<>();
        final CompletableFuture<LogRecord> first = new CompletableFuture<>();
        private final Logger logger;
        private final Predicate<LogRecord> condition;

        private Records(Logger logger, Predicate<LogRecord> condition) {
            this.logger = logger;
            this.condition = condition;
        }

        static Records of(Class<?> type, Predicate<LogRecord> condition) {
            Records records = new Records(Logger.getLogger(type.getName()), condition);
            records.logger.addHandler(records);
            return records;
        }

        @Override
        public void publish(LogRecord record) {
            if (condition.test(record)) {
                matching.add(record);
                first.complete(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
