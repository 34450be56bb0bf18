package dev.streams.bench.harness;

import dev.streams.StreamConnection;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreamWriter;
import dev.streams.netty.NettyStreams;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code sendFile} over loopback, every contender in the same JVM and the same run, alternated round by round
 * (forward, then backward): a file (1 GiB by default) goes to a Netty sink on its own event loop that counts the bytes
 * and drops them; a trial lasts from the first send call to the sink's last byte. Contenders:
 * <ul>
 *   <li>{@code netty-region}: raw Netty, one {@link DefaultFileRegion} ({@code sendfile(2)} on epoll);</li>
 *   <li>{@code streams-sendFile}: {@code NettyStreamWriter.sendFile} (the same region underneath);</li>
 *   <li>{@code streams-copy}: this library's copy loop on the event loop: {@code FileChannel.read} into a 64 KiB
 *       direct {@code ByteBuffer}, {@code write(ByteBuffer)} (copies it into a pooled buffer), {@code drain()};</li>
 *   <li>{@code netty-tls-chunked}: raw Netty under TLS: {@link SslHandler} + {@link ChunkedWriteHandler} +
 *       {@link ChunkedNioFile} (64 KiB chunks);</li>
 *   <li>{@code streams-tls-sendFile}: {@code sendFile} under TLS (chunks of 64 KiB through the pipeline).</li>
 * </ul>
 * Both TLS contenders and the sink use the same provider (OpenSSL when it loads, else the JDK's).
 *
 * <p>{@code SendFileBench [--size-mib N] [--rounds N] [--file PATH] [--kinds a,b,...]}: the file is made (random
 * bytes) when it is not there with the right size, by default in the temporary directory, and kept for later runs. A
 * first round warms up and is not counted. MB/s = 10^6 bytes per second. Run it with {@code scripts/run-sendfile.sh}.
 */
public final class SendFileBench implements AutoCloseable {

    static final List<String> KINDS = List.of("netty-region", "streams-sendFile", "streams-copy", "netty-tls-chunked",
            "streams-tls-sendFile");
    private static final String HOST = "127.0.0.1";
    private static final int CHUNK = 64 * 1024;

    private final long size;
    private final Path path;
    private final EventLoopGroup senderGroup = EchoServer.newGroup(1, "sender-loop");
    private final EventLoopGroup sinkGroup = EchoServer.newGroup(1, "sink-loop");
    private final SslContext sinkTls;
    private final SslContext senderTls;
    private final SslProvider provider;

    SendFileBench(long size, Path path) throws Exception {
        this.size = size;
        this.path = path;
        X509Bundle cert = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .addSanIpAddress(HOST).setIsCertificateAuthority(true).ecp256().buildSelfSigned();
        provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        sinkTls = SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath())
                .sslProvider(provider).build();
        senderTls = SslContextBuilder.forClient().trustManager(cert.getCertificate()).sslProvider(provider).build();
    }

    public static void main(String[] args) throws Exception {
        long sizeMib = 1024;
        int rounds = 5;
        Path file = null;
        List<String> kinds = new ArrayList<>(KINDS);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size-mib":
                    sizeMib = Long.parseLong(args[++i]);
                    break;
                case "--rounds":
                    rounds = Integer.parseInt(args[++i]);
                    break;
                case "--file":
                    file = Paths.get(args[++i]);
                    break;
                case "--kinds":
                    kinds = Arrays.asList(args[++i].split(","));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + "; usage: SendFileBench [--size-mib N] [--rounds N] [--file PATH] [--kinds a,b,...]");
            }
        }
        if (file == null) {
            file = Paths.get(System.getProperty("java.io.tmpdir"), "streams-sendfile-" + sizeMib + "MiB.bin");
        }
        try (SendFileBench bench = new SendFileBench(sizeMib << 20, file)) {
            bench.run(kinds, rounds);
        }
    }

    @Override
    public void close() {
        senderGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        sinkGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void run(List<String> kinds, int rounds) throws Exception {
        makeFile();
        System.out.printf(Locale.ROOT, "# sendFile over loopback: %,d bytes per trial, %d rounds (+1 warm-up), %s, "
                        + "TLS provider %s, %d CPUs, %s%n", size, rounds, Epoll.isAvailable() ? "epoll" : "NIO",
                provider, Runtime.getRuntime().availableProcessors(), Runtime.version());
        Map<String, List<Double>> mbps = new LinkedHashMap<>();
        for (String kind : kinds) {
            mbps.put(kind, new ArrayList<>());
        }
        for (int round = 0; round <= rounds; round++) {
            List<String> order = new ArrayList<>(kinds);
            if (round % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            StringBuilder line = new StringBuilder(round == 0 ? "warm-up" : "round " + round);
            for (String kind : order) {
                double seconds = trial(kind);
                double rate = size / seconds / 1e6;
                line.append(String.format(Locale.ROOT, "  %s %.0f MB/s", kind, rate));
                if (round > 0) {
                    mbps.get(kind).add(rate);
                }
            }
            System.out.println(line);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-22s %10s %10s %10s%n", "contender", "median", "min", "max");
        for (Map.Entry<String, List<Double>> entry : mbps.entrySet()) {
            List<Double> sorted = new ArrayList<>(entry.getValue());
            sorted.sort(null);
            System.out.printf(Locale.ROOT, "%-22s %10.0f %10.0f %10.0f   MB/s%n", entry.getKey(), median(sorted),
                    sorted.get(0), sorted.get(sorted.size() - 1));
        }
        ratio(mbps, "streams-sendFile", "netty-region");
        ratio(mbps, "streams-sendFile", "streams-copy");
        ratio(mbps, "streams-tls-sendFile", "netty-tls-chunked");
        ratio(mbps, "streams-sendFile", "streams-tls-sendFile");
    }

    /** The median over the rounds of the per-round ratio a ÷ b (the machine's noise moves both alike). */
    private static void ratio(Map<String, List<Double>> mbps, String a, String b) {
        if (!mbps.containsKey(a) || !mbps.containsKey(b)) {
            return;
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < mbps.get(a).size(); i++) {
            ratios.add(mbps.get(a).get(i) / mbps.get(b).get(i));
        }
        ratios.sort(null);
        System.out.printf(Locale.ROOT, "%s ÷ %s (median of per-round ratios): %.3f  (rounds: %s)%n", a, b,
                median(ratios), ratios.stream().map(r -> String.format(Locale.ROOT, "%.3f", r)).toList());
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Makes the file (random bytes) unless it is there with the right size. */
    void makeFile() throws IOException {
        if (Files.exists(path) && Files.size(path) == size) {
            return;
        }
        byte[] block = new byte[1 << 20];
        new Random(14).nextBytes(block);
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long written = 0; written < size; ) {
                ByteBuffer buf = ByteBuffer.wrap(block, 0, (int) Math.min(block.length, size - written));
                while (buf.hasRemaining()) {
                    written += out.write(buf);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ one trial

    /** One transfer of the whole file by {@code kind}: seconds from the first send call to the sink's last byte. */
    double trial(String kind) throws Exception {
        boolean tls = kind.contains("tls");
        Sink sink = new Sink(size);
        Channel server = new ServerBootstrap().group(sinkGroup)
                .channel(Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls) {
                            ch.pipeline().addLast(sinkTls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(sink);
                    }
                }).bind(HOST, 0).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            switch (kind) {
                case "netty-region":
                case "netty-tls-chunked":
                    return rawNetty(port, tls, sink);
                case "streams-sendFile":
                case "streams-tls-sendFile":
                    return streams(port, tls, sink, writer -> writer.sendFile(file, 0, size).thenApply(n -> null));
                case "streams-copy":
                    return streams(port, false, sink, writer -> copy(writer, file));
                default:
                    throw new IllegalArgumentException("unknown kind " + kind + "; kinds: " + KINDS);
            }
        } finally {
            server.close().sync();
        }
    }

    private double rawNetty(int port, boolean tls, Sink sink) throws Exception {
        // The file's own channel: DefaultFileRegion and ChunkedNioFile close it once done, as Netty's users know.
        FileChannel file = FileChannel.open(path, StandardOpenOption.READ);
        Channel channel = new Bootstrap().group(senderGroup)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls) {
                            ch.pipeline().addLast(senderTls.newHandler(ch.alloc(), HOST, port));
                            ch.pipeline().addLast(new ChunkedWriteHandler());
                        }
                    }
                }).connect(HOST, port).sync().channel();
        try {
            if (tls) {
                channel.pipeline().get(SslHandler.class).handshakeFuture().sync();
            }
            sink.connected.get(30, TimeUnit.SECONDS);
            long start = System.nanoTime();
            Object message = tls ? new ChunkedNioFile(file, 0, size, CHUNK) : new DefaultFileRegion(file, 0, size);
            channel.writeAndFlush(message).sync();
            return (sink.done.get(120, TimeUnit.SECONDS) - start) / 1e9;
        } finally {
            channel.close().sync();
            file.close();
        }
    }

    private double streams(int port, boolean tls, Sink sink,
                           Function<NettyStreamWriter, CompletableFuture<Void>> send) throws Exception {
        ConnectOptions.Builder options = ConnectOptions.builder().eventLoopGroup(senderGroup);
        if (tls) {
            options.sslContext(senderTls);
        }
        StreamConnection conn = NettyStreams.openConnection(HOST, port, options.build()).get(30, TimeUnit.SECONDS);
        try {
            sink.connected.get(30, TimeUnit.SECONDS);
            NettyStreamWriter writer = (NettyStreamWriter) conn.writer();
            long start = System.nanoTime();
            // From the event loop, as a server's handler would: the copy loop runs there without a thread hop.
            CompletableFuture<Void> sent = CompletableFuture.supplyAsync(() -> send.apply(writer), senderGroup.next())
                    .thenCompose(f -> f);
            sent.get(120, TimeUnit.SECONDS);
            return (sink.done.get(120, TimeUnit.SECONDS) - start) / 1e9;
        } finally {
            conn.close();
            conn.writer().waitClosed().get(30, TimeUnit.SECONDS);
        }
    }

    /** The copy loop: read a chunk, write it (copied), drain; continues on the event loop when drain() waits. */
    private CompletableFuture<Void> copy(NettyStreamWriter writer, FileChannel file) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        long[] position = {0};
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            try {
                while (position[0] < size) {
                    buf.clear().limit((int) Math.min(CHUNK, size - position[0]));
                    position[0] += file.read(buf, position[0]);
                    buf.flip();
                    writer.write(buf);
                    CompletableFuture<Void> drained = writer.drain();
                    if (!drained.isDone()) {
                        drained.thenRun(step[0]); // completed on the event loop when the channel is writable again
                        return;
                    }
                }
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        };
        step[0].run();
        return done;
    }

    /** Counts and drops what arrives on the one connection it accepts; notes the time of the last expected byte. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        final CompletableFuture<Long> done = new CompletableFuture<>();
        private final long expected;
        private long received;

        Sink(long expected) {
            this.expected = expected;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connected.complete(null);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                received += ((ByteBuf) msg).readableBytes();
                ((ByteBuf) msg).release(); // ours: dropped
                if (received >= expected) {
                    done.complete(System.nanoTime());
                }
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IOException("sink closed after " + received + " of " + expected + " bytes"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }
}
