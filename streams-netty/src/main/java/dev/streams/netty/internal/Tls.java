package dev.streams.netty.internal;

import dev.streams.netty.ConnectOptions;
import dev.streams.netty.StreamOptions;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import io.netty.util.ReferenceCountUtil;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Makes the {@link SslHandler} of a connection: clients verify the server's host name (endpoint identification
 * {@code HTTPS}) unless {@link ConnectOptions#hostnameVerification()} is off, and send it in SNI; only TLS 1.2 and 1.3 are
 * enabled; the options' handshake and close_notify timeouts apply.
 */
public final class Tls {

    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private Tls() {
    }

    /**
     * The handler for one side of a connection.
     *
     * @param hostname the server's name for a client (SNI and verification); ignored for a server
     * @throws IllegalArgumentException when the context enables neither TLS 1.2 nor 1.3
     */
    public static SslHandler newHandler(SslContext context, ByteBufAllocator alloc, String hostname, int port,
                                        StreamOptions options) {
        SslHandler handler = context.isClient()
                ? context.newHandler(alloc, hostname, port)
                : context.newHandler(alloc);
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        if (context.isClient()) {
            // Off only when asked for by name (unsafe; ConnectOptions says why), whatever the context set. The JDK's
            // engine keeps its algorithm when given null; an empty one turns the check off with either provider.
            boolean verify = !(options instanceof ConnectOptions) || ((ConnectOptions) options).hostnameVerification();
            parameters.setEndpointIdentificationAlgorithm(verify ? "HTTPS" : "");
        }
        List<String> enabled = new ArrayList<>(Arrays.asList(engine.getEnabledProtocols()));
        enabled.retainAll(PROTOCOLS);
        if (enabled.isEmpty()) {
            throw new IllegalArgumentException("the SSL context enables neither TLS 1.2 nor TLS 1.3: "
                    + Arrays.toString(engine.getEnabledProtocols()));
        }
        parameters.setProtocols(enabled.toArray(new String[0]));
        engine.setSSLParameters(parameters);
        handler.setHandshakeTimeoutMillis(options.handshakeTimeout().toMillis());
        handler.setCloseNotifyFlushTimeoutMillis(options.closeNotifyTimeout().toMillis());
        return handler;
    }

    /**
     * Checks that {@code context} suits a client ({@code client}) or a server and enables TLS 1.2 or 1.3, so that a
     * bad context fails the call that was given it, with a clear message (checked once per context).
     *
     * @throws IllegalArgumentException when it does not
     */
    public static void check(SslContext context, boolean client) {
        if (context == null) {
            return;
        }
        if (context.isClient() != client) {
            throw new IllegalArgumentException("sslContext is a " + (client ? "server" : "client") + " context; a "
                    + (client ? "connection" : "server") + " needs a " + (client ? "client" : "server") + " one");
        }
        if (CHECKED.containsKey(context)) {
            return;
        }
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
        try {
            List<String> enabled = new ArrayList<>(Arrays.asList(engine.getEnabledProtocols()));
            enabled.retainAll(PROTOCOLS);
            if (enabled.isEmpty()) {
                throw new IllegalArgumentException("the SSL context enables neither TLS 1.2 nor TLS 1.3: "
                        + Arrays.toString(engine.getEnabledProtocols()));
            }
        } finally {
            ReferenceCountUtil.release(engine); // OpenSSL engines are reference counted
        }
        CHECKED.put(context, Boolean.TRUE);
    }

    private static final Map<SslContext, Boolean> CHECKED = Collections.synchronizedMap(new WeakHashMap<>());
}
