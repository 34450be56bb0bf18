package dev.streams.examples;

import dev.streams.StreamConnection;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.StreamOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code attach-demo}: the streams API inside a Netty server the application built itself.
 *
 * <p>The server is plain Netty: its own event loop group, its own {@link ServerBootstrap} and
 * {@link ChannelInitializer}. The initializer puts a {@link LineBasedFrameDecoder} in the pipeline (an existing
 * decoder keeps working: the stream sees its frames, whole lines with their {@code '\n'}), then
 * {@link NettyStreams#attach(Channel)} adds the stream handler behind it and returns a {@link StreamConnection}. The
 * tutorial's blocking echo ({@link EchoServer.Echo#serveBlocking}) runs on that connection, on a thread of its own:
 * a virtual thread where the JVM has them, else a daemon thread of a cached pool. The demo talks to the server with
 * the library's client ({@link EchoClient#talkBlocking}), then shuts everything down.
 */
public final class AttachDemo {

    static final String USAGE = String.join("\n",
            "Usage: attach-demo",
            "",
            "Starts a plain Netty server (ServerBootstrap, LineBasedFrameDecoder) on 127.0.0.1 (a free port)",
            "whose channels are handed to blocking streams code with NettyStreams.attach(channel), runs the",
            "tutorial's client against it, prints the conversation and exits 0.");

    /** The frame decoder's longest line; past it the decoder fails and the handler reports it. */
    static final int MAX_LINE = 8 * 1024;

    private AttachDemo() {
    }

    /** Runs the demo; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0) {
            return Cli.noArguments("attach-demo", USAGE, args[0], out, err);
        }
        out.println("== A Netty server of its own: LineBasedFrameDecoder, then NettyStreams.attach(channel) ==");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("attach-demo", true),
                NioIoHandler.newFactory());
        ExecutorService handlers = handlerThreads();
        Channel server = null;
        try {
            server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            // keep the '\n' (the reader's readLine needs it); failFast=false: fail at the line's end
                            channel.pipeline().addLast(new LineBasedFrameDecoder(MAX_LINE, false, false));
                            StreamConnection connection = NettyStreams.attach(channel);
                            EchoServer.Echo echo = new EchoServer.Echo(false, StreamOptions.DEFAULT_LIMIT, out, err);
                            // blocking code must not run on the event loop: hand it to a thread of its own
                            handlers.execute(() -> echo.serveBlocking(connection.reader(), connection.writer()));
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            InetSocketAddress address = (InetSocketAddress) server.localAddress();
            out.println("Serving on " + EchoServer.hostPort(address));
            EchoClient.talkBlocking("127.0.0.1", address.getPort(), EchoClient.TUTORIAL_MESSAGES.iterator(), out);
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("attach-demo: " + Main.describe(e));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("attach-demo: interrupted");
            return 1;
        } finally {
            if (server != null) {
                server.close().awaitUninterruptibly(Demo.TIMEOUT.toMillis());
            }
            // The client closed its connection and waited: each handler has seen EOF, closed its side and ends.
            handlers.shutdown();
            awaitTermination(handlers, err);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(Demo.TIMEOUT.toMillis());
            out.println("Server closed.");
            Demo.stopDefaultGroup("attach-demo", err); // the client's event loops
            out.flush();
        }
    }

    /**
     * Threads for blocking handlers: {@code Executors.newVirtualThreadPerTaskExecutor()} on Java 21+ (reached by
     * reflection: this code compiles for Java 17), else a cached pool of daemon platform threads.
     */
    static ExecutorService handlerThreads() {
        if (NettyStreams.virtualThreads()) {
            try {
                return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            } catch (ReflectiveOperationException e) {
                // fall back to platform threads
            }
        }
        return Executors.newCachedThreadPool(new DefaultThreadFactory("attach-demo-handler", true));
    }

    private static void awaitTermination(ExecutorService handlers, PrintStream err) {
        try {
            if (!handlers.awaitTermination(Demo.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                err.println("attach-demo: handlers still running after " + Demo.TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
