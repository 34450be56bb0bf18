package dev.streams.bench.harness;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load client of the harness: closed loop, many connections, each keeping {@code depth} lines of {@code size}
 * bytes in flight (a new line is sent when an echo comes back), on Netty (epoll when available, else NIO).
 *
 * <p>Load mode: {@code LoadClient --target NAME=PORT ... [--conns 50] [--size 100] [--depth 1] [--warmup 3]
 * [--rewarmup 1] [--measure 5] [--rounds 2] [--threads 1] [--scenario NAME] [--verify]}. The targets are driven one
 * after the other, round after round, in alternating order (forward, then backward), so that machine noise hits each
 * alike. Each trial connects afresh, warms up (the first round for {@code --warmup} seconds, later ones for
 * {@code --rewarmup}), measures, and prints one line:
 * {@code TRIAL scenario=S target=T round=R rps=.. mbps=.. p50us=.. p99us=.. errors=..}.
 * Latency is from the write of a line to the arrival of its last echoed byte; MB/s counts echoed bytes one way.
 *
 * <p>Idle mode: {@code LoadClient --idle N --target NAME=PORT}: opens N connections, prints
 * {@code IDLE_READY <count>}, waits for a line (or the end) on standard input, closes them and exits.
 */
public final class LoadClient {

    private LoadClient() {
    }

    /** One trial's result. */
    public static final class Result {
        public final String target;
        public final long completed;
        public final double seconds;
        public final long p50Nanos;
        public final long p99Nanos;
        public final long errors;
        public final int size;
        /** Every echo of the trial, warm-up included. */
        public final long echoes;

        Result(String target, long completed, double seconds, long p50Nanos, long p99Nanos, long errors, int size,
               long echoes) {
            this.target = target;
            this.completed = completed;
            this.seconds = seconds;
            this.p50Nanos = p50Nanos;
            this.p99Nanos = p99Nanos;
            this.errors = errors;
            this.size = size;
            this.echoes = echoes;
        }

        public double rps() {
            return completed / seconds;
        }

        public double mbps() {
            return completed * (double) size / seconds / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        List<String[]> targets = new ArrayList<>();
        int conns = 50;
        int size = 100;
        int depth = 1;
        double warmup = 3;
        double rewarmup = 1;
        double measure = 5;
        int rounds = 2;
        int threads = 1;
        int idle = 0;
        boolean verify = false;
        String scenario = "load";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target": targets.add(args[++i].split("=", 2)); break;
                case "--conns": conns = Integer.parseInt(args[++i]); break;
                case "--size": size = Integer.parseInt(args[++i]); break;
                case "--depth": depth = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Double.parseDouble(args[++i]); break;
                case "--rewarmup": rewarmup = Double.parseDouble(args[++i]); break;
                case "--measure": measure = Double.parseDouble(args[++i]); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--idle": idle = Integer.parseInt(args[++i]); break;
                case "--scenario": scenario = args[++i]; break;
                case "--verify": verify = true; break;
                default: throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no --target NAME=PORT given");
        }
        EventLoopGroup group = EchoServer.newGroup(threads, "load-client");
        try {
            if (idle > 0) {
                idle(group, Integer.parseInt(targets.get(0)[1]), idle);
                return;
            }
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < targets.size(); k++) {
                    String[] target = targets.get(round % 2 == 0 ? k : targets.size() - 1 - k);
                    Result r = run(group, target[0], Integer.parseInt(target[1]), conns, size, depth,
                            round == 0 ? warmup : rewarmup, measure, verify);
                    System.out.println(String.format(Locale.ROOT,
                            "TRIAL scenario=%s target=%s round=%d rps=%.0f mbps=%.2f p50us=%.1f p99us=%.1f errors=%d"
                                    + " echoes=%d",
                            scenario, r.target, round + 1, r.rps(), r.mbps(), r.p50Nanos / 1e3, r.p99Nanos / 1e3,
                            r.errors, r.echoes));
                    System.out.flush();
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        System.exit(0);
    }

    /** The line every connection sends: {@code size - 1} letters and a newline. */
    private static byte[] line(int size) {
        byte[] pattern = new byte[size];
        for (int i = 0; i < size - 1; i++) {
            pattern[i] = (byte) ('a' + i % 26);
        }
        pattern[size - 1] = '\n';
        return pattern;
    }

    /** Runs one trial against 127.0.0.1:{@code port}. */
    public static Result run(EventLoopGroup group, String name, int port, int conns, int size, int depth,
                             double warmupSeconds, double measureSeconds, boolean verify) throws Exception {
        if (size < 1) {
            throw new IllegalArgumentException("size < 1: " + size);
        }
        byte[] pattern = line(size);
        ByteBuf original = Unpooled.directBuffer(size).writeBytes(pattern); // released once every channel closed
        ByteBuf message = Unpooled.unreleasableBuffer(original);
        Phase phase = new Phase();
        List<Conn> all = new ArrayList<>();
        List<Channel> channels = connect(group, port, conns, () -> {
            Conn c = new Conn(message, pattern, depth, phase, verify);
            synchronized (all) {
                all.add(c);
            }
            return c;
        });
        try {
            for (Channel ch : channels) {
                Conn c = ch.pipeline().get(Conn.class);
                ch.eventLoop().execute(c::start);
            }
            Thread.sleep((long) (warmupSeconds * 1000));
            phase.state = Phase.MEASURE;
            long start = System.nanoTime();
            Thread.sleep((long) (measureSeconds * 1000));
            phase.state = Phase.STOP;
            double seconds = (System.nanoTime() - start) / 1e9;
            // Let each loop see STOP, then collect on the loops (the counters are loop-confined).
            long completed = 0;
            long errors = 0;
            long echoes = 0;
            List<long[]> latencies = new ArrayList<>();
            for (Channel ch : channels) {
                Conn c = ch.pipeline().get(Conn.class);
                long[][] snapshot = new long[1][];
                long[] counts = new long[3];
                ch.eventLoop().submit(() -> {
                    snapshot[0] = Arrays.copyOf(c.latencies, c.recorded);
                    counts[0] = c.completed;
                    counts[1] = c.errors;
                    counts[2] = c.echoes;
                }).sync();
                latencies.add(snapshot[0]);
                completed += counts[0];
                errors += counts[1];
                echoes += counts[2];
            }
            for (Channel ch : channels) {
                if (!ch.isActive()) {
                    errors++;
                }
            }
            long[] merged = merge(latencies);
            Arrays.sort(merged);
            return new Result(name, completed, seconds, percentile(merged, 0.50), percentile(merged, 0.99), errors,
                    size, echoes);
        } finally {
            for (Channel ch : channels) {
                ch.close();
            }
            for (Channel ch : channels) {
                ch.closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            original.release();
        }
    }

    /**
     * Runs until every connection has had {@code echoes} lines echoed (at most {@code depth} in flight), with no time
     * window: what a test on a busy machine can count on. {@link Result#completed} is the echoes received, and
     * {@link Result#errors} counts wrong bytes, failed or closed connections and connections that did not finish
     * within {@code timeoutSeconds}.
     */
    public static Result runEchoes(EventLoopGroup group, String name, int port, int conns, int size, int depth,
                                   int echoes, long timeoutSeconds) throws Exception {
        if (size < 1) {
            throw new IllegalArgumentException("size < 1: " + size);
        }
        if (echoes < 1) {
            throw new IllegalArgumentException("echoes < 1: " + echoes);
        }
        byte[] pattern = line(size);
        ByteBuf original = Unpooled.directBuffer(size).writeBytes(pattern); // released once every channel closed
        ByteBuf message = Unpooled.unreleasableBuffer(original);
        Phase phase = new Phase();
        phase.state = Phase.MEASURE;
        CountDownLatch finished = new CountDownLatch(conns);
        List<Channel> channels = connect(group, port, conns,
                () -> new Conn(message, pattern, depth, phase, true, echoes, finished));
        long start = System.nanoTime();
        try {
            for (int i = channels.size(); i < conns; i++) {
                finished.countDown(); // a connection that failed to connect will not finish
            }
            for (Channel ch : channels) {
                Conn c = ch.pipeline().get(Conn.class);
                ch.eventLoop().execute(c::start);
            }
            boolean all = finished.await(timeoutSeconds, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            long completed = 0;
            long errors = conns - channels.size() + (all ? 0 : 1);
            for (Channel ch : channels) {
                Conn c = ch.pipeline().get(Conn.class);
                long[] counts = new long[3];
                ch.eventLoop().submit(() -> {
                    counts[0] = c.completed;
                    counts[1] = c.errors;
                    counts[2] = c.completed < echoes ? 1 : 0;
                }).sync();
                completed += counts[0];
                errors += counts[1] + counts[2];
            }
            return new Result(name, completed, seconds, 0, 0, errors, size, completed);
        } finally {
            for (Channel ch : channels) {
                ch.close();
            }
            for (Channel ch : channels) {
                ch.closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            original.release();
        }
    }

    private static long[] merge(List<long[]> parts) {
        int total = 0;
        for (long[] part : parts) {
            total += part.length;
        }
        long[] merged = new long[total];
        int at = 0;
        for (long[] part : parts) {
            System.arraycopy(part, 0, merged, at, part.length);
            at += part.length;
        }
        return merged;
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1 < 0 ? 0
                : (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** Opens {@code count} connections, at most 256 connecting at a time. */
    static List<Channel> connect(EventLoopGroup group, int port, int count,
                                 java.util.function.Supplier<ChannelInboundHandlerAdapter> handlers)
            throws InterruptedException {
        Class<? extends SocketChannel> type = Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(type)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(handlers.get());
                    }
                });
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        Semaphore inFlight = new Semaphore(256);
        List<ChannelFuture> futures = new ArrayList<>(count);
        AtomicLong failed = new AtomicLong();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            ChannelFuture f = bootstrap.connect(address);
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    failed.incrementAndGet();
                }
                inFlight.release();
            });
            futures.add(f);
        }
        List<Channel> channels = new ArrayList<>(count);
        for (ChannelFuture f : futures) {
            f.awaitUninterruptibly();
            if (f.isSuccess()) {
                channels.add(f.channel());
            }
        }
        if (failed.get() > 0) {
            System.err.println("connections failed: " + failed.get() + " of " + count);
        }
        return channels;
    }

    private static void idle(EventLoopGroup group, int port, int count) throws Exception {
        List<Channel> channels = connect(group, port, count, () -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        });
        System.out.println("IDLE_READY " + channels.size());
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        for (Channel ch : channels) {
            ch.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        System.exit(0);
    }

    /** Which phase the trial is in; read by the event loops on every echo. */
    static final class Phase {
        static final int WARMUP = 0;
        static final int MEASURE = 1;
        static final int STOP = 2;
        volatile int state = WARMUP;
    }

    /** One connection's closed loop. Event-loop confined except {@link #start}, which runs on its loop too. */
    static final class Conn extends ChannelInboundHandlerAdapter {
        private final ByteBuf message;
        private final byte[] pattern;
        private final int size;
        private final int depth;
        private final Phase phase;
        private final boolean verify;
        /** Send times of the lines in flight, oldest first (a ring of {@code depth}). */
        private final long[] sent;
        private int head;
        private int inFlight;
        /** Bytes of the current (oldest) echo received so far. */
        private int partial;
        private ChannelHandlerContext ctx;
        private boolean wrote;
        long completed;
        long echoes;
        long errors;
        long[] latencies = new long[1024];
        int recorded;
        /** Lines still to send ({@link Long#MAX_VALUE}: until the phase stops). */
        private long quota;
        /** Counted down once {@link #echoes} reached the quota, or the connection failed; null in timed runs. */
        private final CountDownLatch finished;
        private boolean counted;
        /** Where {@code verify} copies each read to compare it. */
        private byte[] scratch = new byte[0];

        Conn(ByteBuf message, byte[] pattern, int depth, Phase phase, boolean verify) {
            this(message, pattern, depth, phase, verify, Long.MAX_VALUE, null);
        }

        /** A connection that sends {@code quota} lines in all and counts {@code finished} down when all are back. */
        Conn(ByteBuf message, byte[] pattern, int depth, Phase phase, boolean verify, long quota,
             CountDownLatch finished) {
            this.message = message;
            this.pattern = pattern;
            this.size = pattern.length;
            this.depth = depth;
            this.phase = phase;
            this.verify = verify;
            this.sent = new long[depth];
            this.quota = quota;
            this.finished = finished;
        }

        private void finish() {
            if (finished != null && !counted) {
                counted = true;
                finished.countDown();
            }
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void start() {
            long now = System.nanoTime();
            for (int i = 0; i < depth && quota > 0; i++) {
                send(now);
            }
            ctx.flush();
        }

        private void send(long now) {
            quota--;
            sent[(head + inFlight) % depth] = now;
            inFlight++;
            ctx.write(message.duplicate(), ctx.voidPromise());
            wrote = true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                long now = System.nanoTime();
                int state = phase.state;
                int n = in.readableBytes();
                if (verify) {
                    // One bulk copy per read, not a getByte per byte: under the tests' paranoid leak detector every
                    // access of a buffer records a stack trace (a 20 KB echo took about 100 ms byte by byte).
                    if (scratch.length < n) {
                        scratch = new byte[n];
                    }
                    in.getBytes(in.readerIndex(), scratch, 0, n);
                    for (int i = 0; i < n; i++) {
                        if (scratch[i] != pattern[(partial + i) % size]) {
                            errors++;
                            break;
                        }
                    }
                }
                while (n > 0) {
                    int take = Math.min(n, size - partial);
                    partial += take;
                    n -= take;
                    if (partial == size) {
                        partial = 0;
                        long t0 = sent[head];
                        head = (head + 1) % depth;
                        inFlight--;
                        echoes++;
                        if (state == Phase.MEASURE) {
                            completed++;
                            if (recorded == latencies.length) {
                                latencies = Arrays.copyOf(latencies, recorded * 2);
                            }
                            latencies[recorded++] = now - t0;
                        }
                        if (state != Phase.STOP && quota > 0) {
                            send(now);
                        } else if (inFlight == 0 && quota == 0) {
                            finish();
                        }
                    }
                }
            } finally {
                in.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (wrote) {
                wrote = false;
                ctx.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors++;
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish(); // a connection closed before its quota will not finish: the caller counts it as an error
            ctx.fireChannelInactive();
        }
    }
}
