package dev.streams.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Connection racing ("happy eyeballs", RFC 8305) as asyncio's
 * {@code open_connection(happy_eyeballs_delay=..., interleave=...)} does it: connect to one of several addresses of a
 * host, starting attempts one after another, and keep the first that connects.
 *
 * <pre>{@code
 * List<InetSocketAddress> addresses = HappyEyeballs.resolve(HappyEyeballs.Resolver.SYSTEM, "example.com", 443);
 * CompletableFuture<Channel> winner = HappyEyeballs.connect(addresses, HappyEyeballs.DEFAULT_DELAY,
 *         HappyEyeballs.defaultInterleave(HappyEyeballs.DEFAULT_DELAY), bootstrap::connect, group.next());
 * }</pre>
 *
 * <p><b>The rules of {@link #connect}.</b>
 * <ol>
 *   <li><b>Addresses</b> are resolved once, by the caller (see {@link #resolve} and {@link Resolver}); this class
 *       never looks a name up. They are tried in the order of {@link #interleave(List, int)}, at most once each
 *       (duplicates are tried twice).</li>
 *   <li><b>Starting.</b> The first attempt starts before {@code connect} returns, on the calling thread. Attempt
 *       <i>k+1</i> starts at the earlier of: {@code delay} after attempt <i>k</i> started, or attempt <i>k</i>
 *       failing. Only the latest attempt's failure starts the next one at once: when an earlier attempt fails while a
 *       later one is still connecting, the later one's delay keeps running (asyncio's {@code staggered_race}). A
 *       {@code null} delay means no racing: each attempt starts only when the one before it failed. A zero delay
 *       starts every attempt at once (each on the timer executor, in order).</li>
 *   <li><b>Winning.</b> The first attempt whose future succeeds wins: the returned future completes with its
 *       channel, no further attempt starts, and every other attempt is ended.</li>
 *   <li><b>Who closes what.</b> The caller owns only the winning channel, once the returned future has completed
 *       with it. This class closes every other channel: attempts still connecting when the race is won are cancelled
 *       ({@code ChannelFuture.cancel}) and their channels closed; an attempt that connects after the race was won
 *       (its cancel came too late) is closed when it connects; a failed attempt's channel is closed too (a
 *       {@code Bootstrap} already does that; closing is idempotent).</li>
 *   <li><b>Failing.</b> When every address failed, the returned future fails. With a single address it fails with
 *       that attempt's failure itself. With several it fails with a {@link ConnectException} whose message lists the
 *       addresses (with the host name when they carry one) and which carries every attempt's failure as
 *       {@linkplain Throwable#getSuppressed() suppressed}, in attempt order. A connector that throws, or returns
 *       {@code null}, counts as that address failing; so does an attempt whose future someone else cancelled.</li>
 *   <li><b>Cancelling</b> the returned future (or completing it from outside) ends the race: no further attempt
 *       starts, the pending timer is cancelled, and every attempt is cancelled and its channel closed, including a
 *       winner whose delivery lost the race with the cancel.</li>
 *   <li><b>Threads.</b> Timers are scheduled on {@code timerExecutor} (an event loop; no thread is created), nothing
 *       blocks, and the state is guarded by a lock that is never held while calling the connector, closing a
 *       channel or completing the future. Later attempts start on the timer executor or on the event loop that
 *       reported the previous failure, so the connector must be callable from any thread ({@code Bootstrap.connect}
 *       is). The returned future completes on the event loop that reported the deciding outcome (or on the thread
 *       that cancelled it).</li>
 * </ol>
 *
 * <p>A per-attempt timeout is the connector's business (for a {@code Bootstrap}, its
 * {@code CONNECT_TIMEOUT_MILLIS}); a timed-out attempt is a failed one.
 */
public final class HappyEyeballs {

    /** RFC 8305's recommended connection attempt delay, 250 ms (also asyncio's documented recommendation). */
    public static final Duration DEFAULT_DELAY = Duration.ofMillis(250);

    private HappyEyeballs() {
    }

    /**
     * Looks up the addresses of a host name. Implementations may block: call one off the event loop.
     */
    @FunctionalInterface
    public interface Resolver {

        /** The JDK's resolver, {@link InetAddress#getAllByName(String)} (blocks on DNS; literals do not block). */
        Resolver SYSTEM = host -> Arrays.asList(InetAddress.getAllByName(host));

        /**
         * The addresses of {@code host}, in the order to prefer them.
         *
         * @throws UnknownHostException when the host has no address
         */
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    /**
     * Resolves {@code host} with {@code resolver} into socket addresses for {@code port}: in the resolver's order,
     * duplicates removed. Runs the resolver on the calling thread (which it may block).
     *
     * @throws NullPointerException     when an argument is null, or the resolver returns null
     * @throws IllegalArgumentException when the port is outside 0-65535
     * @throws UnknownHostException     from the resolver, or when it returns no address
     */
    public static List<InetSocketAddress> resolve(Resolver resolver, String host, int port)
            throws UnknownHostException {
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port not in 0-65535: " + port);
        }
        List<InetAddress> found = Objects.requireNonNull(resolver.resolve(host), "resolver returned null");
        Set<InetSocketAddress> addresses = new LinkedHashSet<>();
        for (InetAddress address : found) {
            addresses.add(new InetSocketAddress(Objects.requireNonNull(address, "resolver returned a null address"),
                    port));
        }
        if (addresses.isEmpty()) {
            throw new UnknownHostException("no address for host: " + host);
        }
        return List.copyOf(addresses);
    }

    /**
     * asyncio's default {@code interleave}: 1 when racing ({@code delay} not null), else 0 (keep the order).
     */
    public static int defaultInterleave(Duration delay) {
        return delay != null ? 1 : 0;
    }

    /**
     * Reorders addresses by family, exactly as asyncio's {@code _interleave_addrinfos}: the addresses are grouped by
     * family (IPv4, IPv6) keeping their order, the family of the first address first; then {@code interleave - 1}
     * addresses of the first family are taken, then one of each family in turn until all are taken. So
     * {@code [6a, 6b, 6c, 4a, 4b]} becomes {@code [6a, 4a, 6b, 4b, 6c]} with 1 and {@code [6a, 6b, 4a, 6c, 4b]} with
     * 2 (the extra addresses of the first family come only at the start). 0 keeps the order.
     *
     * @param addresses resolved addresses
     * @param interleave how many addresses of the first family come before the first of the other; 0 keeps the order
     * @return a new list
     * @throws NullPointerException     when {@code addresses} or one of them is null
     * @throws IllegalArgumentException when {@code interleave < 0} or an address is unresolved
     */
    public static List<InetSocketAddress> interleave(List<InetSocketAddress> addresses, int interleave) {
        Objects.requireNonNull(addresses, "addresses");
        if (interleave < 0) {
            throw new IllegalArgumentException("interleave < 0: " + interleave);
        }
        Map<Class<?>, List<InetSocketAddress>> byFamily = new LinkedHashMap<>();
        for (InetSocketAddress address : addresses) {
            checkResolved(address);
            byFamily.computeIfAbsent(address.getAddress().getClass(), f -> new ArrayList<>()).add(address);
        }
        if (interleave == 0) {
            return new ArrayList<>(addresses);
        }
        List<List<InetSocketAddress>> families = new ArrayList<>(byFamily.values());
        List<InetSocketAddress> reordered = new ArrayList<>(addresses.size());
        int[] next = new int[families.size()];
        if (!families.isEmpty()) {
            List<InetSocketAddress> first = families.get(0);
            next[0] = Math.min(interleave - 1, first.size());
            reordered.addAll(first.subList(0, next[0]));
        }
        while (reordered.size() < addresses.size()) {
            for (int f = 0; f < families.size(); f++) {
                if (next[f] < families.get(f).size()) {
                    reordered.add(families.get(f).get(next[f]++));
                }
            }
        }
        return reordered;
    }

    /**
     * Races connections to {@code addresses} by the rules in the {@linkplain HappyEyeballs class javadoc}.
     *
     * @param addresses     the resolved addresses, at least one, in the resolver's order (reordered here by
     *                      {@code interleave}); the list is copied
     * @param delay         how long an attempt has before the next one starts alongside it; {@code null} for no
     *                      racing (the next starts only when the previous failed); {@link #DEFAULT_DELAY} is RFC
     *                      8305's; nanosecond precision, saturated at about 292 years
     * @param interleave    the family interleaving of {@link #interleave(List, int)}; 0 keeps the order; asyncio uses
     *                      {@link #defaultInterleave(Duration)} when none is given
     * @param connector     starts one attempt, typically {@code bootstrap::connect}; its future's channel is closed
     *                      by this class unless it wins (it must return a future even for an immediate failure, or
     *                      throw)
     * @param timerExecutor where the delays are scheduled, typically the event loop group's {@code next()}
     * @return the winning channel, owned by the caller from then on; or the failure; cancelling it ends the race and
     *         closes every attempt
     * @throws NullPointerException     when an argument other than {@code delay} is null, or an address is null
     * @throws IllegalArgumentException when {@code addresses} is empty or has an unresolved address, {@code delay} is
     *                                  negative, or {@code interleave < 0}
     */
    public static CompletableFuture<Channel> connect(List<InetSocketAddress> addresses, Duration delay,
                                                     int interleave,
                                                     Function<? super InetSocketAddress, ? extends ChannelFuture>
                                                             connector,
                                                     EventExecutor timerExecutor) {
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(timerExecutor, "timerExecutor");
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no address to connect to");
        }
        if (delay != null && delay.isNegative()) {
            throw new IllegalArgumentException("delay < 0: " + delay);
        }
        List<InetSocketAddress> order = interleave(addresses, interleave); // checks interleave and the addresses
        Race race = new Race(order, delay, connector, timerExecutor);
        race.start();
        return race.result;
    }

    private static void checkResolved(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
    }

    /** One call of {@link #connect}: the attempts, the timer and the result. */
    private static final class Race {
        private final List<InetSocketAddress> addresses;
        private final long delayNanos; // -1: no racing
        private final Function<? super InetSocketAddress, ? extends ChannelFuture> connector;
        private final EventExecutor timerExecutor;
        final CompletableFuture<Channel> result = new CompletableFuture<>();

        // guarded by this
        /** How many attempts have started; attempt {@code started - 1} is the latest. */
        private int started;
        /** The attempts still connecting, by index (null once done, or when the connector threw). */
        private final ChannelFuture[] connecting;
        private final Throwable[] failures;
        private int failed;
        /** The race is over: won, lost, or ended from outside. Sticky. */
        private boolean over;
        /** The timer that starts the attempt after the latest one, if any. */
        private ScheduledFuture<?> timer;

        Race(List<InetSocketAddress> addresses, Duration delay,
             Function<? super InetSocketAddress, ? extends ChannelFuture> connector, EventExecutor timerExecutor) {
            this.addresses = addresses;
            this.delayNanos = delay == null ? -1 : saturatedNanos(delay);
            this.connector = connector;
            this.timerExecutor = timerExecutor;
            this.connecting = new ChannelFuture[addresses.size()];
            this.failures = new Throwable[addresses.size()];
        }

        void start() {
            // Whoever completes the result (this race, or a caller's cancel) ends everything still going.
            result.whenComplete((channel, failure) -> endAll());
            startAfter(-1);
        }

        /** Starts the attempt after {@code previous}, unless another one started since or the race is over. */
        private void startAfter(int previous) {
            int index;
            ScheduledFuture<?> staleTimer;
            synchronized (this) {
                if (over || started != previous + 1 || started == addresses.size()) {
                    return;
                }
                index = started++;
                staleTimer = timer;
                timer = null;
            }
            cancel(staleTimer);
            InetSocketAddress address = addresses.get(index);
            ChannelFuture attempt;
            try {
                attempt = Objects.requireNonNull(connector.apply(address), "connector returned null for " + address);
            } catch (Throwable t) {
                failed(index, null, t);
                return;
            }
            boolean abandoned;
            synchronized (this) {
                abandoned = over;
                if (!abandoned) {
                    connecting[index] = attempt;
                }
            }
            if (abandoned) {
                close(attempt);
                return;
            }
            scheduleNext(index);
            attempt.addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    connected(index, f.channel());
                } else {
                    failed(index, f.channel(), f.cause());
                }
            });
        }

        private void scheduleNext(int index) {
            if (delayNanos < 0 || index + 1 == addresses.size()) {
                return;
            }
            ScheduledFuture<?> scheduled;
            try {
                scheduled = timerExecutor.schedule(() -> startAfter(index), delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(e); // the executor is shutting down: ends the race
                return;
            }
            boolean stale;
            synchronized (this) {
                stale = over || started != index + 1;
                if (!stale) {
                    timer = scheduled;
                }
            }
            if (stale) {
                scheduled.cancel(false);
            }
        }

        private void connected(int index, Channel channel) {
            boolean won;
            synchronized (this) {
                connecting[index] = null;
                won = !over;
                over = true;
            }
            if (!won || !result.complete(channel)) {
                channel.close(); // late, or the result was cancelled first
            }
            // result.complete ran endAll(): the other attempts and the timer are ended
        }

        private void failed(int index, Channel channel, Throwable cause) {
            boolean lost;
            boolean next;
            synchronized (this) {
                connecting[index] = null;
                if (over) {
                    lost = false;
                    next = false;
                } else {
                    failures[index] = cause;
                    failed++;
                    lost = failed == addresses.size();
                    over = lost;
                    next = !lost && started == index + 1;
                }
            }
            if (channel != null) {
                channel.close();
            }
            if (lost) {
                result.completeExceptionally(failure());
            } else if (next) {
                startAfter(index);
            }
        }

        /** Every address failed: the single failure, or a ConnectException carrying them all. */
        private Throwable failure() {
            if (failures.length == 1) {
                return failures[0];
            }
            ConnectException all = new ConnectException(
                    "cannot connect to any of " + addresses.size() + " addresses: " + addresses);
            for (Throwable failure : failures) {
                all.addSuppressed(failure);
            }
            return all;
        }

        /** The result is complete: ends the timer and every attempt still connecting (not the winner). */
        private void endAll() {
            List<ChannelFuture> ended = new ArrayList<>();
            ScheduledFuture<?> pending;
            synchronized (this) {
                over = true;
                for (int i = 0; i < connecting.length; i++) {
                    if (connecting[i] != null) {
                        ended.add(connecting[i]);
                        connecting[i] = null;
                    }
                }
                pending = timer;
                timer = null;
            }
            cancel(pending);
            for (ChannelFuture attempt : ended) {
                close(attempt);
            }
        }

        private static void close(ChannelFuture attempt) {
            attempt.cancel(false);
            attempt.channel().close();
        }

        private static void cancel(ScheduledFuture<?> timer) {
            if (timer != null) {
                timer.cancel(false);
            }
        }

        private static long saturatedNanos(Duration delay) {
            try {
                return delay.toNanos();
            } catch (ArithmeticException tooLong) {
                return Long.MAX_VALUE;
            }
        }
    }
}
