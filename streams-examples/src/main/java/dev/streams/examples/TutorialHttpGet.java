package dev.streams.examples;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.streams.StreamConnection;
import dev.streams.StreamReader;
import dev.streams.StreamWriter;
import dev.streams.netty.NettyStreams;
import java.io.IOException;

/**
 * The tutorial's HTTP GET: a request written by hand, the response read with the stream's verbs.
 *
 * <pre>{@code
 * async def http_get(host, port, path):
 *     reader, writer = await asyncio.open_connection(host, port)
 *     writer.write(f'GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n'.encode())
 *     await writer.drain()
 *     while (line := await reader.readline()) != b'\r\n':     # status line and headers
 *         print(line.decode('latin-1').rstrip())
 *     print()
 *     sys.stdout.buffer.write(await reader.read())            # the body: everything up to EOF
 *     writer.close()
 *     await writer.wait_closed()
 * }</pre>
 *
 * <p>Run it with {@code java -jar streams-examples.jar tutorial-http-get [HOST [PORT [PATH]]]} (default
 * {@code example.com 80 /}). {@code Connection: close} makes the server end the body by closing the connection, so
 * {@code read(-1)} returns it whole; a chunked body is printed with its chunk framing. The {@code http-get} command
 * is the complete client (Content-Length, chunked, redirects, https, limits).
 */
public final class TutorialHttpGet {

    private TutorialHttpGet() {
    }

    /**
     * Prints the status line, the headers and the body of {@code GET PATH} from {@code HOST:PORT}.
     *
     * @param args host, port and path, each optional
     * @throws IOException when the connection fails or ends before the headers do
     */
    public static void main(String[] args) throws IOException {
        String host = args.length > 0 ? args[0] : "example.com";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 80;
        String path = args.length > 2 ? args[2] : "/";
        StreamConnection connection = await(NettyStreams.openConnection(host, port));
        StreamReader reader = connection.reader();
        StreamWriter writer = connection.writer();
        try {
            writer.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(ISO_8859_1));
            await(writer.drain());
            byte[] line;
            while ((line = await(reader.readLine())).length > 2) { // up to the empty line ("\r\n")
                System.out.println(new String(line, ISO_8859_1).stripTrailing());
            }
            if (line.length == 0) { // EOF: readLine returns empty instead of failing
                throw new java.io.EOFException("the server closed the connection before the end of the headers");
            }
            System.out.println();
            System.out.write(await(reader.read(-1))); // raw bytes, up to EOF
            System.out.flush();
        } finally {
            writer.close();
            await(writer.waitClosed());
        }
    }
}
