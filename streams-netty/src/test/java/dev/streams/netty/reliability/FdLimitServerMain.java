package dev.streams.netty.reliability;

import static dev.streams.Await.await;

import dev.streams.StreamConnection;
import dev.streams.StreamReader;
import dev.streams.StreamServer;
import dev.streams.StreamWriter;
import dev.streams.netty.ConnectOptions;
import dev.streams.netty.NettyStreams;
import dev.streams.netty.ServerOptions;
import dev.streams.netty.internal.NettyStreamServer;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;

/**
 * Run in a child JVM with a low open-file limit by {@link DescriptorExhaustionTest}: an echo server on the default
 * event loop group (as {@code echo-server} runs), with a backlog of 1,024 so that more connections than the limit can
 * wait in it.
 *
 * <p>Arguments: {@code plain}, or {@code tls <provider> <certificate file>} (a self-signed certificate for 127.0.0.1
 * is made and written there as PEM, for the test to trust). Echoes one line to itself first (what serving needs is
 * then loaded, as in a server that has served) and waits until both ends of that connection are closed, so that no
 * descriptor is on its way out; then prints {@code PORT <port>} and serves until a line {@code stop} on stdin: closes
 * the server, prints {@code STOPPED} and exits 0.
 */
public final class FdLimitServerMain {

    private FdLimitServerMain() {
    }

    public static void main(String[] args) throws Exception {
        ServerOptions.Builder options = ServerOptions.builder().backlog(1024);
        ConnectOptions.Builder client = ConnectOptions.builder();
        if (args[0].equals("tls")) {
            X509Bundle cert = new CertificateBuilder().subject("CN=localhost").addSanIpAddress("127.0.0.1")
                    .setIsCertificateAuthority(true).ecp256().buildSelfSigned();
            Files.writeString(Path.of(args[2]), cert.getCertificatePEM());
            SslProvider provider = SslProvider.valueOf(args[1]);
            options.sslContext(SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath())
                    .sslProvider(provider).build());
            client.sslContext(SslContextBuilder.forClient().trustManager(cert.getCertificate()).sslProvider(provider)
                    .build());
        }
        StreamServer server = await(NettyStreams.startServer(FdLimitServerMain::echo,
                "127.0.0.1", 0, options.build()));
        int port = ((InetSocketAddress) server.localAddresses().get(0)).getPort();
        StreamConnection warmUp = await(NettyStreams.openConnection("127.0.0.1", port, client.build()));
        warmUp.writer().write("warm-up\n".getBytes(StandardCharsets.UTF_8));
        await(warmUp.reader().readLine());
        warmUp.close();
        await(warmUp.writer().waitClosed());
        NettyStreamServer internal = (NettyStreamServer) server;
        while (internal.clientCount() > 0) {
            Thread.onSpinWait(); // the server's end closes right after ours (it reads EOF and closes)
        }
        System.out.println("PORT " + port);
        System.out.flush();
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = stdin.readLine()) != null && !line.equals("stop")) {
            // wait
        }
        server.close();
        server.abortClients();
        await(server.waitClosed());
        System.out.println("STOPPED");
        System.out.flush();
    }

    /** Echoes lines until EOF, then closes. */
    private static CompletionStage<Void> echo(StreamReader reader, StreamWriter writer) {
        return reader.readLine().thenCompose(line -> {
            if (line.length == 0) {
                writer.close();
                return writer.waitClosed();
            }
            writer.write(line);
            return writer.drain().thenCompose(drained -> echo(reader, writer));
        });
    }
}
