package dev.streams.netty.internal;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * How connections and their addresses are named in logs and exception messages:
 * {@code StreamConnection[127.0.0.1:5000 -> [::1]:41234]}, {@code unix:/run/app.sock}; and the one type a Unix
 * socket's address has whatever the transport ({@link #typed}). Static, without state.
 */
final class ConnectionNames {

    private ConnectionNames() {
    }

    /** {@code StreamConnection[local -> remote]}, an unknown address as {@code null}. */
    static String of(SocketAddress local, SocketAddress remote) {
        return "StreamConnection[" + format(local) + " -> " + format(remote) + "]";
    }

    /** An IP address and port ({@code 127.0.0.1:80}, {@code [::1]:80}), {@code unix:path}, or the address as it is. */
    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        SocketAddress typed = typed(address);
        if (typed instanceof UnixDomainSocketAddress) {
            String path = ((UnixDomainSocketAddress) typed).getPath().toString();
            return path.isEmpty() ? "unix:(unnamed)" : "unix:" + path;
        }
        return String.valueOf(address);
    }

    /** Netty's epoll {@link DomainSocketAddress} as the JDK's {@link UnixDomainSocketAddress}; others as they are. */
    static SocketAddress typed(SocketAddress address) {
        if (address instanceof DomainSocketAddress) {
            return UnixDomainSocketAddress.of(((DomainSocketAddress) address).path());
        }
        return address;
    }
}
