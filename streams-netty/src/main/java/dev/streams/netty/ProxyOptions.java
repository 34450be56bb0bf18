package dev.streams.netty;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * A proxy that client connections go through ({@link ConnectOptions.Builder#proxy}): SOCKS5 (RFC 1928, with RFC 1929
 * username/password authentication) or HTTP {@code CONNECT} (RFC 9110, with Basic authentication). Immutable.
 *
 * <pre>{@code
 * ConnectOptions viaSocks = ConnectOptions.builder().proxy(ProxyOptions.socks5("127.0.0.1", 1080)).build();
 * ConnectOptions viaHttp = ConnectOptions.builder().proxy(ProxyOptions.parse("http://user:secret@proxy:3128")).build();
 * }</pre>
 *
 * <p><b>Names are resolved by the proxy.</b> The target's host name is sent to the proxy as it is, unresolved (as
 * curl's {@code socks5h://} and every HTTP {@code CONNECT} do): the proxy resolves it, so names that only the proxy
 * knows work and no DNS query leaves this side. An IP literal is sent as an address. The proxy's own host name is
 * resolved here, and its addresses are tried as the target's would be without a proxy.
 *
 * <p><b>Time.</b> {@link ConnectOptions#connectTimeout()} bounds each attempt as a whole: the TCP connection to the
 * proxy and the proxy's handshake (which includes the proxy's connection to the target). The TLS handshake with the
 * target, when there is one, starts after it and has its own timeout.
 *
 * <p><b>Failures</b> fail the connection with Netty's {@code io.netty.handler.proxy.ProxyConnectException} (a
 * {@link java.net.ConnectException}), whose message names the protocol, the authentication, the proxy, the target and
 * the proxy's reply: {@code "socks5, password, /127.0.0.1:1080 => example.com/<unresolved>:443, authStatus:
 * FAILURE(1)"}, {@code "socks5, none, ... , status: CONNECTION_REFUSED(5)"}, {@code "http, basic, /127.0.0.1:3128 =>
 * example.com/<unresolved>:443, status: 407 Proxy Authentication Required"}; a proxy that hangs up first says
 * {@code "disconnected"}, one that does not answer in time {@code "timeout"}. For HTTP it is
 * {@code HttpProxyHandler.HttpProxyConnectException}, which also carries the reply's headers.
 *
 * <p>{@link #toString()} never shows the password.
 */
public final class ProxyOptions {

    /** The proxy protocols. */
    public enum Type {
        /** SOCKS version 5 (RFC 1928); {@code socks5://} or {@code socks5h://} in {@link #parse}. */
        SOCKS5,
        /** An HTTP proxy's {@code CONNECT} tunnel; {@code http://} in {@link #parse}. */
        HTTP
    }

    /** The longest SOCKS5 user name or password, in UTF-8 bytes (RFC 1929: one length byte). */
    private static final int SOCKS5_MAX_CREDENTIAL = 255;

    private final Type type;
    private final String host;
    private final int port;
    private final String username;
    private final String password;

    private ProxyOptions(Type type, String host, int port, String username, String password) {
        this.type = Objects.requireNonNull(type, "type");
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("proxy host is empty");
        }
        if (port <= 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("proxy port not in 1-65535: " + port);
        }
        if (username == null && password != null) {
            throw new IllegalArgumentException("a proxy password needs a user name");
        }
        if (username != null) {
            password = password == null ? "" : password;
            if (type == Type.SOCKS5) {
                checkSocks5Length("user name", username);
                checkSocks5Length("password", password);
            } else if (username.indexOf(':') >= 0) {
                throw new IllegalArgumentException("an HTTP proxy user name cannot contain ':' (RFC 7617): "
                        + username);
            }
        }
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
    }

    private static void checkSocks5Length(String what, String value) {
        int length = value.getBytes(StandardCharsets.UTF_8).length;
        if (length > SOCKS5_MAX_CREDENTIAL) {
            throw new IllegalArgumentException("SOCKS5 " + what + " longer than " + SOCKS5_MAX_CREDENTIAL
                    + " bytes: " + length);
        }
    }

    /**
     * A SOCKS5 proxy without authentication.
     *
     * @param host the proxy's name or IP address
     * @param port the proxy's port, 1-65535
     * @return the proxy
     * @throws NullPointerException     when {@code host} is null
     * @throws IllegalArgumentException when {@code host} is empty or the port is outside 1-65535
     */
    public static ProxyOptions socks5(String host, int port) {
        return new ProxyOptions(Type.SOCKS5, host, port, null, null);
    }

    /**
     * A SOCKS5 proxy with username/password authentication (RFC 1929).
     *
     * @param host     the proxy's name or IP address
     * @param port     the proxy's port, 1-65535
     * @param username the user name, at most 255 UTF-8 bytes
     * @param password the password, at most 255 UTF-8 bytes
     * @return the proxy
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when {@code host} is empty, the port is outside 1-65535, or a credential is
     *                                  longer than 255 bytes
     */
    public static ProxyOptions socks5(String host, int port, String username, String password) {
        return new ProxyOptions(Type.SOCKS5, host, port, Objects.requireNonNull(username, "username"),
                Objects.requireNonNull(password, "password"));
    }

    /**
     * An HTTP proxy ({@code CONNECT}) without authentication.
     *
     * @param host the proxy's name or IP address
     * @param port the proxy's port, 1-65535
     * @return the proxy
     * @throws NullPointerException     when {@code host} is null
     * @throws IllegalArgumentException when {@code host} is empty or the port is outside 1-65535
     */
    public static ProxyOptions http(String host, int port) {
        return new ProxyOptions(Type.HTTP, host, port, null, null);
    }

    /**
     * An HTTP proxy ({@code CONNECT}) with Basic authentication ({@code Proxy-Authorization}).
     *
     * @param host     the proxy's name or IP address
     * @param port     the proxy's port, 1-65535
     * @param username the user name, without {@code ':'}
     * @param password the password
     * @return the proxy
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when {@code host} is empty, the port is outside 1-65535, or the user name
     *                                  contains {@code ':'}
     */
    public static ProxyOptions http(String host, int port, String username, String password) {
        return new ProxyOptions(Type.HTTP, host, port, Objects.requireNonNull(username, "username"),
                Objects.requireNonNull(password, "password"));
    }

    /**
     * Parses a proxy as curl's {@code --proxy} takes it: {@code socks5://[user[:password]@]host:port},
     * {@code socks5h://…} (the same: names are always resolved by the proxy) or {@code http://…}. The user name and
     * password may be percent-encoded ({@code %40} for {@code @}); an IPv6 host is written in brackets. The port is
     * required.
     *
     * @param uri the proxy, as text
     * @return the proxy
     * @throws NullPointerException     when {@code uri} is null
     * @throws IllegalArgumentException when the text is not such a URI (unknown scheme, no host, no port, a path),
     *                                  naming what is wrong
     */
    public static ProxyOptions parse(String uri) {
        Objects.requireNonNull(uri, "uri");
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad proxy URI: " + e.getMessage(), e);
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        Type type;
        switch (scheme) {
            case "socks5":
            case "socks5h":
                type = Type.SOCKS5;
                break;
            case "http":
                type = Type.HTTP;
                break;
            default:
                throw new IllegalArgumentException("proxy URI must start with socks5://, socks5h:// or http://: "
                        + uri);
        }
        String host = parsed.getHost();
        if (host == null) {
            throw new IllegalArgumentException("no host (or a bad one) in proxy URI: " + uri);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (parsed.getPort() < 0) {
            throw new IllegalArgumentException("no port in proxy URI: " + uri);
        }
        String path = parsed.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || parsed.getRawQuery() != null
                || parsed.getRawFragment() != null) {
            throw new IllegalArgumentException("a proxy URI has no path, query or fragment: " + uri);
        }
        String userInfo = parsed.getUserInfo(); // percent-decoded
        if (userInfo == null) {
            return new ProxyOptions(type, host, parsed.getPort(), null, null);
        }
        int colon = userInfo.indexOf(':');
        String username = colon < 0 ? userInfo : userInfo.substring(0, colon);
        String password = colon < 0 ? "" : userInfo.substring(colon + 1);
        return new ProxyOptions(type, host, parsed.getPort(), username, password);
    }

    /**
     * The protocol.
     *
     * @return SOCKS5 or HTTP
     */
    public Type type() {
        return type;
    }

    /**
     * The proxy's host.
     *
     * @return its name or IP address (an IPv6 address without brackets)
     */
    public String host() {
        return host;
    }

    /**
     * The proxy's port.
     *
     * @return the port, 1-65535
     */
    public int port() {
        return port;
    }

    /**
     * The user name to authenticate with.
     *
     * @return the user name, or {@code null} for no authentication
     */
    public String username() {
        return username;
    }

    /**
     * The password to authenticate with.
     *
     * @return the password ({@code ""} when only a user name was given), or {@code null} for no authentication
     */
    public String password() {
        return password;
    }

    /**
     * Equal when the protocol, host, port and credentials are.
     *
     * @param other the object to compare with
     * @return whether it is an equal proxy
     */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof ProxyOptions)) {
            return false;
        }
        ProxyOptions that = (ProxyOptions) other;
        return type == that.type && host.equals(that.host) && port == that.port
                && Objects.equals(username, that.username) && Objects.equals(password, that.password);
    }

    /**
     * A hash of the protocol, host, port and credentials.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(type, host, port, username, password);
    }

    /**
     * The proxy as a URI, the password masked: {@code socks5://user:***@127.0.0.1:1080}.
     *
     * @return the text
     */
    @Override
    public String toString() {
        String hostText = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return type.name().toLowerCase(Locale.ROOT) + "://" + (username != null ? username + ":***@" : "")
                + hostText + ":" + port;
    }
}
