package dev.streams.netty.reliability;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.NettyStreams;
import java.net.InetSocketAddress;

/**
 * Run in a child JVM by {@link ShutdownTest}: opens a server and a connection on the shared default event loop group,
 * echoes one line and returns from {@code main} without closing anything. The JVM must exit by itself: the default
 * group's threads (and the blocking handlers' pool on Java 17) are daemons.
 */
public final class DefaultGroupMain {

    private DefaultGroupMain() {
    }

    public static void main(String[] args) throws Exception {
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            byte[] line;
            while ((line = await(reader.readLine())).length > 0) {
                writer.write(line);
                await(writer.drain());
            }
        }, "127.0.0.1", 0));
        int port = ((InetSocketAddress) server.localAddresses().get(0)).getPort();
        StreamConnection connection = await(NettyStreams.openConnection("127.0.0.1", port));
        connection.writer().write("hello from the child\n".getBytes(UTF_8));
        System.out.print("echoed: " + new String(await(connection.reader().readLine()), UTF_8));
        System.out.flush();
        // No close, no shutdown: returning from main must be enough.
    }
}
