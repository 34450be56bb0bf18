package dev.streams.examples;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.NettyStreams;
import java.io.IOException;

/**
 * The asyncio tutorial's echo server, line for line:
 *
 * <pre>{@code
 * async def handle_echo(reader, writer):
 *     while data := await reader.readline():
 *         message = data.decode().strip()
 *         print(f"Получено: {message}")
 *         writer.write(f"Эхо: {message}\n".encode())
 *         await writer.drain()
 *     writer.close()
 *     await writer.wait_closed()
 *
 * async def main():
 *     server = await asyncio.start_server(handle_echo, '127.0.0.1', 8888)
 *     print(f'Serving on {server.sockets[0].getsockname()}')
 *     async with server:
 *         await server.serve_forever()
 * }</pre>
 *
 * <p>Run it with {@code java -jar streams-examples.jar tutorial-echo-server [PORT]} and stop it with Ctrl-C; the
 * {@code echo-server} command is the same server with options (TLS, Unix sockets, futures).
 */
public final class TutorialEchoServer {

    private TutorialEchoServer() {
    }

    /** One client: answer each line until the client closes (an empty line from readLine is EOF). */
    static void handleEcho(StreamReader reader, StreamWriter writer) throws IOException {
        byte[] data;
        while ((data = await(reader.readLine())).length > 0) {
            String message = new String(data, UTF_8).strip();
            System.out.println("Получено: " + message);
            writer.write(("Эхо: " + message + "\n").getBytes(UTF_8));
            await(writer.drain());
        }
        writer.close();
        await(writer.waitClosed());
    }

    /**
     * Serves on 127.0.0.1:8888 (or the port given; 0 for any free one) until the process is stopped.
     *
     * @param args the port, optional
     * @throws IOException when the server cannot start
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        // Each client runs handleEcho on a virtual thread of its own (a thread of a pool on Java 17).
        StreamServer server = await(NettyStreams.startBlockingServer(TutorialEchoServer::handleEcho,
                "127.0.0.1", port));
        System.out.println("Serving on " + server.localAddresses().get(0));
        try (server) {
            await(server.serveForever()); // the event loops' threads are daemons: main must wait here
        }
    }
}
