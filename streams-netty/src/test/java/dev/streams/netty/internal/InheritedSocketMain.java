package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.Endpoint;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import java.util.concurrent.CountDownLatch;

/**
 * Run in a child JVM by {@link ExistingSocketTest}, started with a socket on its standard input as systemd or inetd
 * would: {@code serve} serves one echo connection on the inherited listening socket ({@code Endpoint.inherited()}),
 * {@code talk} says hello over the inherited connected socket and prints the answer.
 */
public final class InheritedSocketMain {

    private InheritedSocketMain() {
    }

    public static void main(String[] args) throws Exception {
        Endpoint inherited = Endpoint.inherited();
        System.out.println("inherited " + inherited.getClass().getSimpleName());
        if (args[0].equals("serve")) {
            CountDownLatch served = new CountDownLatch(1);
            StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
                try {
                    writer.write(("echo: " + new String(await(reader.readLine()), UTF_8)).getBytes(UTF_8));
                    await(writer.drain());
                } finally {
                    served.countDown();
                }
            }, inherited, ServerOptions.DEFAULTS));
            System.out.println("serving on " + server.localAddresses());
            served.await();
            server.close();
            await(server.waitClosed());
        } else {
            try (StreamConnection connection = await(NettyStreams.openConnection(inherited, ConnectOptions.DEFAULTS))) {
                connection.writer().write("hello over the inherited socket\n".getBytes(UTF_8));
                System.out.print("answer: " + new String(await(connection.reader().readLine()), UTF_8));
            }
        }
        System.out.flush();
    }
}
