package dev.streams.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * A one-connection TCP server under the test's control: it reads the request head, then runs a script that writes
 * the response as it likes (in pieces, cut short, or never). {@link #close()} releases a script that waits.
 */
final class RawServer implements AutoCloseable {

    /** What the server does once it has read the request head. */
    @FunctionalInterface
    interface Script {
        void respond(OutputStream out, RawServer server) throws Exception;
    }

    private final ServerSocket socket;
    final CompletableFuture<String> request = new CompletableFuture<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final CountDownLatch closed = new CountDownLatch(1);
    /** The accepted connection, once there is one. */
    private volatile Socket connection;

    RawServer(Script script) throws IOException {
        socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(() -> serve(script), "raw-server");
        thread.setDaemon(true);
        thread.start();
    }

    /** Writes {@code pieces} one at a time, each flushed on its own (TCP_NODELAY), then closes. */
    static Script pieces(String... pieces) {
        return (out, server) -> {
            for (String piece : pieces) {
                out.write(piece.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        };
    }

    /** Resets the connection (SO_LINGER 0, then close): the client sees a reset, not an EOF. For a script. */
    void reset() throws IOException {
        connection.setSoLinger(true, 0);
        connection.close();
    }

    String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    private void serve(Script script) {
        try (Socket connection = socket.accept()) {
            this.connection = connection;
            connection.setTcpNoDelay(true);
            request.complete(readHead(connection.getInputStream()));
            script.respond(connection.getOutputStream(), this);
            done.complete(null);
        } catch (Exception e) {
            request.completeExceptionally(e);
            done.completeExceptionally(e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                return text;
            }
        }
        throw new IOException("EOF in the request head: " + head.toString(StandardCharsets.ISO_8859_1));
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        socket.close();
    }
}
