package dev.streams.netty.internal;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;

/**
 * The one place where a transport's failure becomes the JDK's exception type, so that users catch the same types on
 * every transport.
 *
 * <p>Netty's native transports (epoll, io_uring) report system-call failures as {@code Errors.NativeIoException}
 * ({@code "recvAddress(..) failed with error(-104): Connection reset by peer"}, {@code "bind(..) failed with
 * error(-98): Address already in use"}); NIO reports what the JDK's sockets report, which for a write into a reset
 * connection is a bare {@code IOException("Connection reset by peer")}. Translated:
 * <table>
 *   <caption>Translations</caption>
 *   <tr><th>where</th><th>failure</th><th>becomes</th></tr>
 *   <tr><td>binding a server</td><td>any {@code IOException}</td><td>{@link BindException}{@code ("<reason>:
 *       <address>")}, e.g. "Address already in use: 127.0.0.1:8888"</td></tr>
 *   <tr><td>an open connection</td><td>{@code ECONNRESET}, or NIO's "Connection reset by peer"</td>
 *       <td>{@link SocketException}{@code ("Connection reset")}, the JDK's own message for a reset</td></tr>
 *   <tr><td>an open connection</td><td>any other native failure, or NIO's "Broken pipe"</td>
 *       <td>{@link SocketException} with the system's reason ("Broken pipe", "Connection timed out")</td></tr>
 * </table>
 * The original exception is the cause of the new one. Other failures ({@code ClosedChannelException}, TLS errors,
 * what is already a {@code SocketException}) pass unchanged. A refused connect already is a
 * {@link java.net.ConnectException} on every transport.
 */
public final class JdkExceptions {

    private static final String RESET = "Connection reset";

    private JdkExceptions() {
    }

    /**
     * A failure of an open connection (a read, a write), as the JDK reports it.
     *
     * @param cause what the transport reported
     * @return the JDK's exception with {@code cause} as its cause, or {@code cause} itself when it needs none
     */
    public static Throwable ofConnection(Throwable cause) {
        if (cause instanceof Errors.NativeIoException) {
            Errors.NativeIoException error = (Errors.NativeIoException) cause;
            String reason = error.expectedErr() == Errors.ERRNO_ECONNRESET_NEGATIVE ? RESET : reason(error);
            return withCause(new SocketException(reason), cause);
        }
        if (cause.getClass() == IOException.class) { // NIO's for failed writes; subclasses are more specific
            if ("Connection reset by peer".equals(cause.getMessage())) {
                return withCause(new SocketException(RESET), cause);
            }
            if ("Broken pipe".equals(cause.getMessage())) {
                return withCause(new SocketException("Broken pipe"), cause);
            }
        }
        return cause;
    }

    /**
     * A failure to bind {@code address}, as a {@link BindException} that names the address.
     *
     * @param cause   what the transport reported
     * @param address the address that could not be bound
     * @return a {@link BindException} with {@code cause} as its cause, or {@code cause} when it is no
     *         {@code IOException}
     */
    public static Throwable ofBind(Throwable cause, SocketAddress address) {
        if (!(cause instanceof IOException)) {
            return cause;
        }
        return withCause(new BindException(reason(cause) + ": " + describe(address)), cause);
    }

    /** The system's reason: what follows the last ": " of a native exception's message, else the message. */
    private static String reason(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        int colon = message.lastIndexOf(": ");
        return cause instanceof Errors.NativeIoException && colon >= 0 ? message.substring(colon + 2) : message;
    }

    private static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        if (address instanceof DomainSocketAddress) {
            return ((DomainSocketAddress) address).path();
        }
        if (address instanceof UnixDomainSocketAddress) {
            return ((UnixDomainSocketAddress) address).getPath().toString();
        }
        return String.valueOf(address);
    }

    private static <T extends Throwable> T withCause(T translated, Throwable cause) {
        translated.initCause(cause);
        return translated;
    }
}
