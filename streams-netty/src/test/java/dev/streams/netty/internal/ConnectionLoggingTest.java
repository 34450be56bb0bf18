package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.ClientHandler;
import dev.streams.StreamServer;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.testing.TransportGroups;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the library logs (Netty's logging goes to {@code java.util.logging} here; a handler on the library's logger
 * captures it): a peer's reset and an idle close are ordinary network events, one DEBUG ({@code FINE}) line without a
 * stack trace and no WARN, even when they end a handler; a handler's own exception is a WARN with the connection's
 * name and the exception.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionLoggingTest {

    private static final String HOST = "127.0.0.1";

    /** Held strongly: java.util.logging keeps only weak references to loggers. */
    private final Logger library = Logger.getLogger("dev.streams.netty");
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level before;

    @BeforeEach
    void captureLogs() {
        before = library.getLevel();
        library.setLevel(Level.ALL);
        library.addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        library.removeHandler(capture);
        library.setLevel(before);
    }

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    private List<LogRecord> about(String connection) {
        synchronized (records) {
            return records.stream().filter(r -> r.getMessage().contains(connection)).toList();
        }
    }

    private static String describe(List<LogRecord> records) {
        StringBuilder out = new StringBuilder();
        for (LogRecord r : records) {
            out.append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ").append(r.getMessage())
                    .append(r.getThrown() != null ? " [thrown " + r.getThrown() + "]" : "").append('\n');
        }
        return out.toString();
    }

    /**
     * Serves one connection with {@code handler}, lets {@code client} act on it, waits until the connection has ended
     * (which is after the handler's end was logged: the handlers here end on the event loop, before the close) and
     * returns the log records that name it.
     */
    private List<LogRecord> serveOne(ClientHandler handler, ServerOptions.Builder options, ClientAction client)
            throws Exception {
        CompletableFuture<String> name = new CompletableFuture<>();
        StreamServer server = await(NettyStreams.startServer((reader, writer) -> {
            name.complete(writer.toString());
            return handler.handle(reader, writer);
        }, HOST, 0, options.eventLoopGroup(TransportGroups.group(Transport.preferred())).build()));
        try (Socket socket = new Socket(HOST, ((InetSocketAddress) server.localAddresses().get(0)).getPort())) {
            client.act(socket);
            String connection = name.get(30, TimeUnit.SECONDS);
            server.close();
            await(server.waitClosed(), Duration.ofSeconds(30)); // the connection ended, and its end was logged
            int start = connection.indexOf("StreamConnection["); // StreamWriter[StreamConnection[a -> b]]
            return about(connection.substring(start, connection.indexOf(']', start) + 1));
        }
    }

    @FunctionalInterface
    private interface ClientAction {
        void act(Socket socket) throws Exception;
    }

    @Test
    void aPeerResetIsOneDebugLineAndNoWarningEvenWhenItEndsTheHandler() throws Exception {
        List<LogRecord> logged = serveOne((reader, writer) -> reader.readLine(), ServerOptions.builder(), socket -> {
            socket.getOutputStream().write("no newline".getBytes(US_ASCII));
            socket.setSoLinger(true, 0);
            socket.close(); // RST
        });
        assertThat(logged).as(describe(logged)).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.FINE);
            assertThat(r.getMessage()).contains("connection lost");
            assertThat(r.getThrown()).as("no stack trace").isNull();
        });
    }

    @Test
    void anIdleCloseIsOneDebugLineAndNoWarning() throws Exception {
        List<LogRecord> logged = serveOne((reader, writer) -> reader.readLine(),
                ServerOptions.builder().idleTimeout(Duration.ofMillis(200)), socket -> {
                    assertThat(socket.getInputStream().read()).as("closed by the idle timeout").isEqualTo(-1);
                });
        assertThat(logged).as(describe(logged)).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.FINE);
            assertThat(r.getMessage()).contains("idle for 200 ms");
            assertThat(r.getThrown()).isNull();
        });
    }

    @Test
    void aHandlersOwnExceptionIsAWarningWithTheConnectionsName() throws Exception {
        IllegalStateException bug = new IllegalStateException("a bug in the handler");
        List<LogRecord> logged = serveOne((reader, writer) -> reader.readLine().thenApply(line -> {
            throw bug;
        }), ServerOptions.builder(), socket -> {
            socket.getOutputStream().write("hello\n".getBytes(US_ASCII));
            assertThat(socket.getInputStream().read()).as("the connection is closed").isEqualTo(-1);
        });
        assertThat(logged).as(describe(logged)).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getMessage()).contains("handler failed");
            assertThat(r.getThrown()).isSameAs(bug);
        });
    }
}
