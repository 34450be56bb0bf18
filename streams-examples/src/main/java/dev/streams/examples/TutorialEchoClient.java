package dev.streams.examples;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.streams.StreamConnection;
import dev.streams.StreamReader;
import dev.streams.StreamWriter;
import dev.streams.netty.NettyStreams;
import java.io.IOException;
import java.util.List;

/**
 * The asyncio tutorial's echo client, line for line:
 *
 * <pre>{@code
 * async def tcp_echo_client():
 *     reader, writer = await asyncio.open_connection('127.0.0.1', 8888)
 *     for message in ['Привет', 'Как дела?', 'Пока']:
 *         writer.write(message.encode() + b'\n')
 *         await writer.drain()
 *         data = await reader.readline()
 *         print(f'Сервер ответил: {data.decode().strip()}')
 *     writer.close()
 *     await writer.wait_closed()
 * }</pre>
 *
 * <p>Run it with {@code java -jar streams-examples.jar tutorial-echo-client [PORT]} against
 * {@code tutorial-echo-server} (or the tutorial's Python server); the {@code echo-client} command is the same client
 * with options (TLS, Unix sockets, timeouts, futures).
 */
public final class TutorialEchoClient {

    private TutorialEchoClient() {
    }

    /**
     * Sends the three messages to 127.0.0.1:8888 (or the port given), printing each answer.
     *
     * @param args the port, optional
     * @throws IOException when the connection fails
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        StreamConnection connection = await(NettyStreams.openConnection("127.0.0.1", port));
        StreamReader reader = connection.reader();
        StreamWriter writer = connection.writer();
        try {
            for (String message : List.of("Привет", "Как дела?", "Пока")) {
                writer.write((message + "\n").getBytes(UTF_8));
                await(writer.drain());
                byte[] data = await(reader.readLine());
                if (data.length == 0) { // EOF: the server closed the connection
                    System.out.println("Сервер закрыл соединение");
                    break;
                }
                System.out.println("Сервер ответил: " + new String(data, UTF_8).strip());
            }
        } finally {
            writer.close();
            await(writer.waitClosed());
        }
    }
}
