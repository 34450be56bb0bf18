package dev.streams.netty.reliability;

import static dev.streams.Await.await;

import dev.streams.StreamServer;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import java.io.InputStream;
import java.net.InetSocketAddress;

/**
 * Run in a child JVM with little heap and direct memory by {@link MemoryExhaustionTest}: a blocking line-echo server
 * whose reader limit ({@code args[0]} bytes) is larger than that memory. Prints {@code PORT <port>}, serves until
 * its standard input ends, then prints {@code STOPPED} and exits.
 */
public final class SmallHeapEchoMain {

    private SmallHeapEchoMain() {
    }

    public static void main(String[] args) throws Exception {
        int limit = Integer.parseInt(args[0]);
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            byte[] line;
            while ((line = await(reader.readLine())).length > 0) {
                writer.write(line);
                await(writer.drain());
            }
        }, "127.0.0.1", 0, ServerOptions.builder().limit(limit).build()));
        System.out.println("PORT " + ((InetSocketAddress) server.localAddresses().get(0)).getPort());
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // serve until the test closes our standard input
        }
        server.close();
        server.abortClients();
        await(server.waitClosed());
        System.out.println("STOPPED");
        System.out.flush();
    }
}
