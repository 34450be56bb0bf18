package dev.streams.bench.harness;

import dev.streams.ClientHandler;
import dev.streams.StreamServer;
import dev.streams.netty.BlockingScheduler;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.PlatformDependent;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * One line-echo server in its own JVM: {@code EchoServer <kind> [--threads N] [--port P]}.
 *
 * <p>Prints {@code PORT <port>} once it listens on 127.0.0.1, then answers commands on standard input:
 * {@code MEM} prints {@code MEM heap=<bytes> direct=<bytes>} measured after garbage collection; {@code ALLOC} prints
 * {@code ALLOC bytes=<heap bytes allocated so far by all threads>}; {@code QUIT} (or the
 * end of input) exits. Kinds: {@code netty-raw} (echo every buffer as it comes, no framing), {@code netty-line}
 * ({@link LineBasedFrameDecoder} + echo of each frame), {@code streams-async} and {@code streams-blocking} (this
 * library, {@link EchoHandlers}; the blocking server on its default scheduler, {@code AUTO}: the event loop on Java 24+
 * with {@code java.base/java.lang} opened), {@code streams-blocking-vt} and {@code streams-blocking-pool} (the blocking
 * server on the JDK's virtual-thread scheduler, and on a pool of platform threads), {@code jdk-vt} (a
 * {@link ServerSocket} and one virtual thread per connection).
 * The Netty-based kinds share the same transport (epoll when available) and event-loop thread count.
 */
public final class EchoServer {

    static final int BACKLOG = 4096;

    private EchoServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: EchoServer netty-raw|netty-line|netty-line-bytes|streams-async"
                    + "|streams-blocking|streams-blocking-vt|streams-blocking-pool|jdk-vt"
                    + " [--threads N] [--port P]");
            System.exit(2);
        }
        String kind = args[0];
        int threads = 1;
        int port = 0;
        for (int i = 1; i < args.length; i += 2) {
            switch (args[i]) {
                case "--threads": threads = Integer.parseInt(args[i + 1]); break;
                case "--port": port = Integer.parseInt(args[i + 1]); break;
                default: throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        AutoCloseable server = start(kind, threads, port, System.out::println);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String command;
        while ((command = commands.readLine()) != null && !command.equals("QUIT")) {
            if (command.equals("MEM")) {
                System.out.println(memory());
            } else if (command.equals("ALLOC")) {
                System.out.println("ALLOC bytes=" + allocatedBytes());
            }
        }
        server.close();
        System.exit(0);
    }

    /** Starts a server of {@code kind} on 127.0.0.1; reports {@code "PORT <port>"} to {@code out}. */
    public static AutoCloseable start(String kind, int threads, int port, Consumer<String> out)
            throws Exception {
        switch (kind) {
            case "netty-raw":
            case "netty-line":
            case "netty-line-bytes":
                return startNetty(kind, threads, port, out);
            case "streams-async":
                return startStreams((BlockingScheduler) null, threads, port, out);
            case "streams-buf":
                return startStreams(EchoHandlers.asyncBufLineEcho(), threads, port, out);
            case "streams-bytes":
                return startStreams(EchoHandlers.asyncBytesEcho(), threads, port, out);
            case "streams-blocking":
                return startStreams(BlockingScheduler.AUTO, threads, port, out);
            case "streams-blocking-vt":
                return startStreams(BlockingScheduler.VIRTUAL, threads, port, out);
            case "streams-blocking-pool":
                return startStreams(BlockingScheduler.POOL, threads, port, out);
            case "jdk-vt":
                return startJdk(port, out);
            default:
                throw new IllegalArgumentException("unknown kind: " + kind);
        }
    }

    static EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    private static AutoCloseable startNetty(String kind, int threads, int port, Consumer<String> out)
            throws InterruptedException {
        EventLoopGroup group = newGroup(threads, "echo-loop");
        boolean line = !kind.equals("netty-raw");
        ChannelHandler echo = kind.equals("netty-line-bytes") ? new BytesEcho() : new Echo();
        Class<? extends ServerSocketChannel> type = Epoll.isAvailable()
                ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (line) {
                            ch.pipeline().addLast(new LineBasedFrameDecoder(64 * 1024, false, false));
                        }
                        ch.pipeline().addLast(echo);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
        out.accept("PORT " + ((InetSocketAddress) server.localAddress()).getPort());
        return () -> {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        };
    }

    /** This library's echo: async when {@code scheduler} is null, else blocking on that scheduler. */
    private static AutoCloseable startStreams(BlockingScheduler scheduler, int threads, int port,
                                              Consumer<String> out) throws Exception {
        return startStreams(scheduler, null, threads, port, out);
    }

    /** An async echo of this library with {@code handler}. */
    private static AutoCloseable startStreams(ClientHandler handler, int threads, int port, Consumer<String> out)
            throws Exception {
        return startStreams(null, handler, threads, port, out);
    }

    /** A system property: the streams servers' high water mark in bytes (the low one a quarter); default 64 KiB. */
    static final String HIGH_WATER_MARK_PROPERTY = "streams.bench.highWaterMark";

    private static AutoCloseable startStreams(BlockingScheduler scheduler, ClientHandler handler, int threads,
                                              int port, Consumer<String> out) throws Exception {
        EventLoopGroup group = newGroup(threads, "streams-loop");
        ServerOptions.Builder builder = ServerOptions.builder().eventLoopGroup(group).backlog(BACKLOG)
                .blockingScheduler(scheduler == null ? BlockingScheduler.AUTO : scheduler)
                .blockingThreads(20_000); // the pool: enough for the idle scenario's connections
        // An experiment's knob (PERFORMANCE.md, 16 KiB with 16 in flight): drain()'s window, the high water mark.
        int highWaterMark = Integer.getInteger(HIGH_WATER_MARK_PROPERTY, 0);
        if (highWaterMark > 0) {
            builder.waterMarks(highWaterMark / 4, highWaterMark);
        }
        ServerOptions options = builder.build();
        StreamServer server = scheduler != null
                ? NettyStreams.startBlockingServer(EchoHandlers.blockingLineEcho(), "127.0.0.1", port, options).get()
                : NettyStreams.startServer(handler != null ? handler : EchoHandlers.asyncLineEcho(), "127.0.0.1",
                        port, options).get();
        out.accept("PORT " + ((InetSocketAddress) server.localAddresses().get(0)).getPort());
        return () -> {
            server.close();
            server.abortClients();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        };
    }

    private static AutoCloseable startJdk(int port, Consumer<String> out) throws IOException {
        ThreadFactory threads = virtualThreads();
        ServerSocket server = new ServerSocket(port, BACKLOG, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    socket.setTcpNoDelay(true);
                    threads.newThread(() -> serveJdk(socket)).start();
                } catch (IOException e) {
                    if (!server.isClosed()) {
                        e.printStackTrace();
                    }
                }
            }
        }, "jdk-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        out.accept("PORT " + server.getLocalPort());
        return server;
    }

    /**
     * The JDK echo: a socket, an 8 KiB input buffer searched for {@code '\n'} (grown for longer lines), one new
     * {@code byte[]} per line (as readLine returns), a {@link BufferedOutputStream} flushed whenever no more input
     * is buffered (so pipelined lines share a flush, as the library's writer does).
     */
    private static void serveJdk(Socket socket) {
        try (socket;
             InputStream in = socket.getInputStream();
             OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192)) {
            byte[] buf = new byte[8192];
            int pos = 0;
            int lim = 0;
            int scanned = 0;
            while (true) {
                int nl = -1;
                for (int i = scanned; i < lim; i++) {
                    if (buf[i] == '\n') {
                        nl = i;
                        break;
                    }
                }
                if (nl >= 0) {
                    byte[] line = Arrays.copyOfRange(buf, pos, nl + 1);
                    out.write(line);
                    pos = nl + 1;
                    scanned = pos;
                    if (pos == lim) {
                        out.flush();
                    }
                    continue;
                }
                scanned = lim;
                if (pos > 0) { // compact
                    System.arraycopy(buf, pos, buf, 0, lim - pos);
                    lim -= pos;
                    scanned -= pos;
                    pos = 0;
                }
                if (lim == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                int n = in.read(buf, lim, buf.length - lim);
                if (n < 0) {
                    if (lim > pos) {
                        out.write(buf, pos, lim - pos);
                    }
                    return;
                }
                lim += n;
            }
        } catch (IOException e) {
            // the client went away: nothing to report in a benchmark
        }
    }

    /** Virtual threads when the JVM has them (21+), else daemon platform threads. */
    static ThreadFactory virtualThreads() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException e) {
            System.err.println("no virtual threads on this JVM: jdk-vt uses platform threads");
            return task -> {
                Thread thread = new Thread(task);
                thread.setDaemon(true);
                return thread;
            };
        }
    }

    /** Bytes allocated on the heap by every thread so far (virtual threads count on their carriers); -1 if unknown. */
    static long allocatedBytes() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (threads instanceof com.sun.management.ThreadMXBean) {
            // By reflection: the method is JDK 21's (backported to later 17 updates), so --release 17 may not see it.
            try {
                return (Long) com.sun.management.ThreadMXBean.class.getMethod("getTotalThreadAllocatedBytes")
                        .invoke(threads);
            } catch (ReflectiveOperationException | UnsupportedOperationException e) {
                return -1; // not in this JDK, or switched off
            }
        }
        return -1;
    }

    /** Heap and direct memory in use after garbage collection. */
    static String memory() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long direct = Math.max(0, PlatformDependent.usedDirectMemory());
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct += pool.getMemoryUsed();
            }
        }
        return "MEM heap=" + heap + " direct=" + direct;
    }

    /**
     * Echoes each frame as the asyncio contract moves it, without the futures: copied into a new {@code byte[]} (what
     * readLine returns), released, and that array copied into a new buffer for the channel (what write does);
     * flushes once per read batch. The least any implementation of the contract can do per line.
     */
    @ChannelHandler.Sharable
    static final class BytesEcho extends Echo {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg; // ours: released once copied
            byte[] bytes;
            try {
                bytes = new byte[frame.readableBytes()];
                frame.readBytes(bytes);
            } finally {
                frame.release();
            }
            ByteBuf reply = ctx.alloc().ioBuffer(bytes.length).writeBytes(bytes);
            ctx.write(reply, ctx.voidPromise()); // Netty owns reply from here on
        }
    }

    /** Writes back whatever it reads (a buffer or a frame); flushes once per read batch. */
    @ChannelHandler.Sharable
    static class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
