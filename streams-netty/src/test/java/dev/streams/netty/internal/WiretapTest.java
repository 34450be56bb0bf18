package dev.streams.netty.internal;

import static dev.streams.Await.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streams.StreamConnection;
import dev.streams.StreamServer;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreamWriter;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.StreamOptions;
import dev.streams.netty.testing.TransportGroups;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wire logging ({@code wiretap(true)}): Netty's {@code LoggingHandler} behind TLS logs the plaintext, as a hex dump,
 * at DEBUG to {@value StreamOptions#WIRE_LOGGER}, on both sides and after STARTTLS too; nothing is logged when it is
 * off. Netty logs through {@code java.util.logging} here (no SLF4J or Log4j on the test class path), so the test
 * captures that logger.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WiretapTest {

    private static final String HOST = "127.0.0.1";
    /** Short enough for one hex dump row, distinctive enough not to appear in ciphertext by chance. */
    private static final String SECRET = "top-secret\n";
    private static final String SECRET_HEX = spaced(ByteBufUtil.hexDump(SECRET.getBytes(UTF_8)));

    /** Held strongly: java.util.logging keeps loggers weakly, and a collected one loses its level and handler. */
    private static final Logger WIRE = Logger.getLogger(StreamOptions.WIRE_LOGGER);
    private static final List<LogRecord> RECORDS = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            RECORDS.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private static Level previousLevel;
    private static SslContext serverTls;
    private static SslContext clientTls;

    @BeforeAll
    static void setUp() throws Exception {
        previousLevel = WIRE.getLevel();
        WIRE.setLevel(Level.FINE);
        WIRE.addHandler(CAPTURE);
        X509Bundle certificate = new CertificateBuilder().subject("CN=localhost").addSanIpAddress(HOST)
                .setIsCertificateAuthority(true).ecp256().buildSelfSigned();
        serverTls = SslContextBuilder.forServer(certificate.getKeyPair().getPrivate(),
                certificate.getCertificatePath()).build();
        clientTls = SslContextBuilder.forClient().trustManager(certificate.getCertificate()).build();
    }

    @AfterAll
    static void tearDown() {
        WIRE.removeHandler(CAPTURE);
        WIRE.setLevel(previousLevel);
        TransportGroups.shutdown();
    }

    @BeforeEach
    @AfterEach
    void clear() {
        RECORDS.clear();
    }

    private static String spaced(String hex) {
        StringBuilder spaced = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) {
            spaced.append(i == 0 ? "" : " ").append(hex, i, i + 2);
        }
        return spaced.toString();
    }

    /** The logged messages that show the secret's bytes, with what happened to them (READ or WRITE). */
    private static List<String> secretLines() {
        List<String> lines = new CopyOnWriteArrayList<>();
        for (LogRecord record : RECORDS) {
            assertThat(record.getLoggerName()).isEqualTo(StreamOptions.WIRE_LOGGER);
            assertThat(record.getLevel()).isEqualTo(Level.FINE);
            String message = record.getMessage();
            if (message.contains(SECRET_HEX)) {
                lines.add(message.contains("WRITE") ? "WRITE" : message.contains("READ") ? "READ" : message);
            }
        }
        return lines;
    }

    private static int port(StreamServer server) {
        return ((InetSocketAddress) server.localAddresses().get(0)).getPort();
    }

    /** Echoes the secret once through a server of its own; returns the server's port. */
    private static int echoSecret(ServerOptions serverOptions, ConnectOptions clientOptions) throws Exception {
        StreamServer server = await(NettyStreams.startBlockingServer(EndToEndTest.ECHO_BLOCKING, HOST, 0,
                serverOptions));
        int port = port(server);
        try (StreamConnection connection = await(NettyStreams.openConnection(HOST, port, clientOptions))) {
            connection.writer().write(SECRET.getBytes(UTF_8));
            assertThat(await(connection.reader().readLine())).isEqualTo(SECRET.getBytes(UTF_8));
            connection.writer().close();
            await(connection.writer().waitClosed());
        } finally {
            server.close();
            await(server.waitClosed());
        }
        return port;
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.RESET_REPORTING)
    void withTlsBothSidesLogThePlaintext(Transport transport) throws Exception {
        echoSecret(ServerOptions.builder().eventLoopGroup(TransportGroups.group(transport)).sslContext(serverTls)
                        .wiretap(true).build(),
                ConnectOptions.builder().eventLoopGroup(TransportGroups.group(transport)).sslContext(clientTls)
                        .wiretap(true).build());
        // Client WRITE, server READ, server WRITE (the echo), client READ: each a hex dump of the plaintext.
        assertThat(secretLines()).containsExactlyInAnyOrder("WRITE", "READ", "WRITE", "READ");
    }

    @Test
    void onlyTheSideThatAsksLogs() throws Exception {
        echoSecret(ServerOptions.builder().sslContext(serverTls).wiretap(true).build(),
                ConnectOptions.builder().sslContext(clientTls).build());
        assertThat(secretLines()).containsExactlyInAnyOrder("READ", "WRITE"); // the server's
    }

    @Test
    void offByDefaultNothingIsLogged() throws Exception {
        assertThat(ConnectOptions.DEFAULTS.wiretap()).isFalse();
        assertThat(ServerOptions.DEFAULTS.wiretap()).isFalse();
        int port = echoSecret(ServerOptions.builder().sslContext(serverTls).build(),
                ConnectOptions.builder().sslContext(clientTls).build());
        // Only this test's connections: an earlier test's channels may log their last events (INACTIVE,
        // UNREGISTERED) after their close completed, and so after that test ended.
        assertThat(RECORDS).filteredOn(record -> record.getMessage().contains(":" + port)).isEmpty();
    }

    @Test
    void afterStartTlsTheWiretapStillLogsPlaintext() throws Exception {
        StreamServer server = await(NettyStreams.startBlockingServer((reader, writer) -> {
            await(reader.readLine()); // STARTTLS
            writer.write("GO\n".getBytes(UTF_8));
            await(writer.drain());
            await(((NettyStreamWriter) writer).startTls(serverTls, null));
            EndToEndTest.ECHO_BLOCKING.handle(reader, writer);
        }, HOST, 0, ServerOptions.builder().wiretap(true).build()));
        try (StreamConnection connection = await(NettyStreams.openConnection(HOST, port(server),
                ConnectOptions.builder().wiretap(true).build()))) {
            connection.writer().write("STARTTLS\n".getBytes(UTF_8));
            assertThat(await(connection.reader().readLine())).isEqualTo("GO\n".getBytes(UTF_8));
            await(((NettyStreamWriter) connection.writer()).startTls(clientTls, HOST));
            RECORDS.clear();
            connection.writer().write(SECRET.getBytes(UTF_8));
            assertThat(await(connection.reader().readLine())).isEqualTo(SECRET.getBytes(UTF_8));
            assertThat(secretLines()).containsExactlyInAnyOrder("WRITE", "READ", "WRITE", "READ");
        } finally {
            server.close();
            await(server.waitClosed());
        }
    }

    @Test
    void anAttachedChannelLogsWhenAsked() {
        EmbeddedChannel channel = new EmbeddedChannel();
        StreamConnection connection = NettyStreams.attach(channel, ConnectOptions.builder().wiretap(true).build());
        channel.writeInbound(Unpooled.copiedBuffer(SECRET, UTF_8));
        assertThat(connection.reader().readLine().join()).isEqualTo(SECRET.getBytes(UTF_8));
        assertThat(secretLines()).containsExactly("READ");
        channel.finishAndReleaseAll();
    }
}
