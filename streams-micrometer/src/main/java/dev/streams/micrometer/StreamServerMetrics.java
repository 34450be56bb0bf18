package dev.streams.micrometer;

import dev.streams.ServerMetrics;
import dev.streams.StreamServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link StreamServer}'s {@link ServerMetrics} to a Micrometer {@link MeterRegistry}: one meter per metric,
 * each reading the server's counter when the registry publishes (nothing is counted twice, nothing runs on the data
 * path).
 *
 * <pre>{@code
 * StreamServer server = await(NettyStreams.startServer(handler, "0.0.0.0", 8888));
 * new StreamServerMetrics(server, Tags.of("service", "echo")).bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>The meters (names in Micrometer's dot notation; a registry renders them its own way, Prometheus as
 *   {@code streams_server_connections_open_connections}, {@code streams_server_bytes_read_bytes_total},
 *   {@code streams_server_drain_wait_seconds_count} / {@code _sum}, ...)</caption>
 *   <tr><th>name</th><th>type</th><th>base unit</th><th>value</th></tr>
 *   <tr><td>{@code streams.server.connections.open}</td><td>gauge</td><td>connections</td>
 *       <td>{@link ServerMetrics#connectionsOpen()}</td></tr>
 *   <tr><td>{@code streams.server.connections.accepted}</td><td>function counter</td><td>connections</td>
 *       <td>{@link ServerMetrics#connectionsAccepted()}</td></tr>
 *   <tr><td>{@code streams.server.connections.refused}</td><td>function counter</td><td>connections</td>
 *       <td>{@link ServerMetrics#connectionsRefused()} ({@code maxConnections})</td></tr>
 *   <tr><td>{@code streams.server.bytes.read}</td><td>function counter</td><td>bytes</td>
 *       <td>{@link ServerMetrics#bytesRead()}</td></tr>
 *   <tr><td>{@code streams.server.bytes.written}</td><td>function counter</td><td>bytes</td>
 *       <td>{@link ServerMetrics#bytesWritten()}</td></tr>
 *   <tr><td>{@code streams.server.drain.wait}</td><td>function timer</td><td>the registry's time unit</td>
 *       <td>count {@link ServerMetrics#drainWaits()}, total time {@link ServerMetrics#drainWaitNanos()}</td></tr>
 *   <tr><td>{@code streams.server.handler.failures}</td><td>function counter</td><td>none</td>
 *       <td>{@link ServerMetrics#handlerFailures()}</td></tr>
 * </table>
 *
 * <p><b>Tags.</b> Every meter has the tag {@code server}: the server's listening addresses when this binder is made,
 * as {@code host:port} ({@code 127.0.0.1:8888}, {@code [::1]:8888}, {@code 0.0.0.0:8888} for the wildcard) or
 * {@code unix:/path}, several joined with {@code ,} — so that two servers of one application get two sets of meters.
 * The tags given to the constructor are added to it (one named {@code server} replaces it).
 *
 * <p><b>Lifetime.</b> As Micrometer's function meters do, the meters hold the metrics weakly: once the server's
 * metrics are unreachable they report {@code NaN}. {@link #close()} removes the meters this binder registered, for an
 * application whose servers come and go. A registry keeps one meter per name and tags: two binders of the same server
 * (same tags) bound to one registry share its meters, and closing either removes them.
 */
public final class StreamServerMetrics implements MeterBinder, AutoCloseable {

    /** The tag that names the server: its listening addresses. */
    public static final String SERVER_TAG = "server";

    private final ServerMetrics metrics;
    private final Tags tags;
    /** The meters registered by {@link #bindTo}, for {@link #close()}; guarded by itself. */
    private final List<Registered> registered = new ArrayList<>();

    /**
     * Meters for {@code server}, tagged {@code server} = its listening addresses.
     *
     * @param server the server whose metrics are bound
     * @throws NullPointerException when {@code server} is null
     */
    public StreamServerMetrics(StreamServer server) {
        this(server, Tags.empty());
    }

    /**
     * Meters for {@code server}, tagged {@code server} = its listening addresses, and {@code tags}.
     *
     * @param server the server whose metrics are bound
     * @param tags   more tags for every meter (a {@code server} tag among them replaces the default one)
     * @throws NullPointerException when {@code server} or {@code tags} is null
     */
    public StreamServerMetrics(StreamServer server, Iterable<Tag> tags) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(tags, "tags");
        this.metrics = Objects.requireNonNull(server.metrics(), "server.metrics()");
        this.tags = Tags.of(SERVER_TAG, describe(server.localAddresses())).and(tags);
    }

    /**
     * The value of the {@code server} tag for these addresses: each as {@code host:port} (IPv6 in brackets) or
     * {@code unix:/path}, joined with {@code ,}.
     *
     * @param addresses a server's listening addresses
     * @return the tag value; {@code "none"} for no address
     * @throws NullPointerException when {@code addresses} is null
     */
    public static String describe(List<SocketAddress> addresses) {
        StringJoiner joined = new StringJoiner(",");
        for (SocketAddress address : Objects.requireNonNull(addresses, "addresses")) {
            joined.add(describe(address));
        }
        return addresses.isEmpty() ? "none" : joined.toString();
    }

    private static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress) {
            return "unix:" + ((UnixDomainSocketAddress) address).getPath();
        }
        return String.valueOf(address);
    }

    /**
     * Registers the meters (see the class comment) with {@code registry}. Binding the same server twice to one
     * registry registers nothing new: Micrometer returns the meters it has.
     *
     * @param registry where the meters go
     * @throws NullPointerException when {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("streams.server.connections.open", metrics, ServerMetrics::connectionsOpen)
                .description("Connections the server serves now")
                .baseUnit(BaseUnits.CONNECTIONS).tags(tags).register(registry));
        meters.add(counter(registry, "streams.server.connections.accepted", ServerMetrics::connectionsAccepted,
                "Connections accepted and served", BaseUnits.CONNECTIONS));
        meters.add(counter(registry, "streams.server.connections.refused", ServerMetrics::connectionsRefused,
                "Connections accepted and closed at once: the server's connection limit was reached",
                BaseUnits.CONNECTIONS));
        meters.add(counter(registry, "streams.server.bytes.read", ServerMetrics::bytesRead,
                "Bytes received by the server's connections (plaintext, above TLS)", BaseUnits.BYTES));
        meters.add(counter(registry, "streams.server.bytes.written", ServerMetrics::bytesWritten,
                "Bytes handed to the network by the server's connections (plaintext, above TLS)", BaseUnits.BYTES));
        meters.add(FunctionTimer.builder("streams.server.drain.wait", metrics, ServerMetrics::drainWaits,
                        ServerMetrics::drainWaitNanos, TimeUnit.NANOSECONDS)
                .description("Calls of drain() that waited for the peer, and how long they waited")
                .tags(tags).register(registry));
        meters.add(counter(registry, "streams.server.handler.failures", ServerMetrics::handlerFailures,
                "Handlers that failed with their own exception (not with their connection's loss)", null));
        synchronized (registered) {
            registered.add(new Registered(registry, meters));
        }
    }

    private FunctionCounter counter(MeterRegistry registry, String name, ToDoubleFunction<ServerMetrics> value,
                                    String description, String baseUnit) {
        FunctionCounter.Builder<ServerMetrics> builder = FunctionCounter.builder(name, metrics, value)
                .description(description).tags(tags);
        if (baseUnit != null) {
            builder.baseUnit(baseUnit);
        }
        return builder.register(registry);
    }

    /** Removes the meters this binder registered from each registry it was bound to. Idempotent. */
    @Override
    public void close() {
        List<Registered> all;
        synchronized (registered) {
            all = new ArrayList<>(registered);
            registered.clear();
        }
        for (Registered one : all) {
            for (Meter meter : one.meters) {
                one.registry.remove(meter);
            }
        }
    }

    /** The meters registered with one registry. */
    private static final class Registered {
        final MeterRegistry registry;
        final List<Meter> meters;

        Registered(MeterRegistry registry, List<Meter> meters) {
            this.registry = registry;
            this.meters = meters;
        }
    }
}
