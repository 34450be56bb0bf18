package dev.streams.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streams.netty.testing.TransportGroups;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link HappyEyeballs}: the interleaving as a pure function (checked against asyncio's {@code _interleave_addrinfos}),
 * the preconditions, and races over real sockets on loopback, on epoll and NIO. Addresses are chosen by the test: a
 * refusing address is a port bound and closed again; a "slow" address gets a connect future that never completes.
 * The order of attempts is read from a recording connector, never from timing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HappyEyeballsTest {

    /** How long a step may take before the test calls it a hang (not a speed assertion). */
    private static final long HANG_SECONDS = 10;
    /** A delay no test waits for: an attempt that starts anyway was started by a failure. */
    private static final Duration FOREVER = Duration.ofMinutes(10);

    private final List<ServerSocket> servers = new CopyOnWriteArrayList<>();
    private final List<Channel> channels = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeEverything() throws IOException {
        for (Channel channel : channels) {
            channel.close();
            assertThat(channel.closeFuture().awaitUninterruptibly(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        for (ServerSocket server : servers) {
            server.close();
        }
    }

    @AfterAll
    static void shutdown() {
        TransportGroups.shutdown();
    }

    // ------------------------------------------------------------------------------------------ interleave

    private static InetSocketAddress ip(String literal) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), 80); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static final InetSocketAddress V6A = ip("2001:db8::a");
    private static final InetSocketAddress V6B = ip("2001:db8::b");
    private static final InetSocketAddress V6C = ip("2001:db8::c");
    private static final InetSocketAddress V4A = ip("192.0.2.1");
    private static final InetSocketAddress V4B = ip("192.0.2.2");
    private static final InetSocketAddress V4C = ip("192.0.2.3");

    /** Expected orders printed by CPython's {@code asyncio.base_events._interleave_addrinfos}. */
    @Test
    void interleaveMatchesAsyncio() {
        List<InetSocketAddress> v6First = List.of(V6A, V6B, V6C, V4A, V4B);
        assertThat(HappyEyeballs.interleave(v6First, 1)).containsExactly(V6A, V4A, V6B, V4B, V6C);
        assertThat(HappyEyeballs.interleave(v6First, 2)).containsExactly(V6A, V6B, V4A, V6C, V4B);
        assertThat(HappyEyeballs.interleave(v6First, 3)).containsExactly(V6A, V6B, V6C, V4A, V4B);
        assertThat(HappyEyeballs.interleave(v6First, 5)).containsExactly(V6A, V6B, V6C, V4A, V4B);

        List<InetSocketAddress> mixed = List.of(V4A, V6A, V4B, V6B, V4C);
        assertThat(HappyEyeballs.interleave(mixed, 1)).containsExactly(V4A, V6A, V4B, V6B, V4C);
        assertThat(HappyEyeballs.interleave(mixed, 2)).containsExactly(V4A, V4B, V6A, V4C, V6B);
    }

    @Test
    void interleaveOfTheBriefsExample() {
        List<InetSocketAddress> addresses = List.of(V6A, V6B, V4A, V4B);
        assertThat(HappyEyeballs.interleave(addresses, 1)).containsExactly(V6A, V4A, V6B, V4B);
        assertThat(HappyEyeballs.interleave(addresses, 2)).containsExactly(V6A, V6B, V4A, V4B);
    }

    @Test
    void interleaveZeroKeepsTheOrderAndOneFamilyIsUnchanged() {
        List<InetSocketAddress> addresses = List.of(V6A, V4A, V4B, V6B);
        assertThat(HappyEyeballs.interleave(addresses, 0)).containsExactlyElementsOf(addresses);
        assertThat(HappyEyeballs.interleave(List.of(V4C, V4A, V4B), 1)).containsExactly(V4C, V4A, V4B);
        assertThat(HappyEyeballs.interleave(List.of(), 1)).isEmpty();
    }

    @Test
    void interleaveChecksItsArguments() {
        assertThatThrownBy(() -> HappyEyeballs.interleave(List.of(V4A), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("interleave < 0: -1");
        assertThatThrownBy(() -> HappyEyeballs.interleave(List.of(InetSocketAddress.createUnresolved("x", 1)), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved address");
        assertThatThrownBy(() -> HappyEyeballs.interleave(null, 1)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void defaultInterleaveIsAsyncios() {
        assertThat(HappyEyeballs.defaultInterleave(HappyEyeballs.DEFAULT_DELAY)).isEqualTo(1);
        assertThat(HappyEyeballs.defaultInterleave(Duration.ZERO)).isEqualTo(1);
        assertThat(HappyEyeballs.defaultInterleave(null)).isZero();
    }

    // ------------------------------------------------------------------------------------------ resolve

    @Test
    void resolveKeepsTheResolversOrderWithoutDuplicates() throws Exception {
        HappyEyeballs.Resolver resolver = host -> List.of(V6A.getAddress(), V4A.getAddress(), V6A.getAddress());
        assertThat(HappyEyeballs.resolve(resolver, "example", 8080)).containsExactly(
                new InetSocketAddress(V6A.getAddress(), 8080), new InetSocketAddress(V4A.getAddress(), 8080));
    }

    @Test
    void resolveFailsWithoutAnAddress() {
        assertThatThrownBy(() -> HappyEyeballs.resolve(host -> List.of(), "nowhere", 1))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("nowhere");
        assertThatThrownBy(() -> HappyEyeballs.resolve(host -> {
            throw new UnknownHostException(host);
        }, "nowhere", 1)).isInstanceOf(UnknownHostException.class);
        assertThatThrownBy(() -> HappyEyeballs.resolve(HappyEyeballs.Resolver.SYSTEM, "127.0.0.1", 65536))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port not in 0-65535: 65536");
    }

    @Test
    void systemResolverResolvesALiteral() throws Exception {
        assertThat(HappyEyeballs.resolve(HappyEyeballs.Resolver.SYSTEM, "127.0.0.1", 7))
                .containsExactly(new InetSocketAddress("127.0.0.1", 7));
    }

    // ------------------------------------------------------------------------------------------ preconditions

    @Test
    void connectChecksItsArgumentsBeforeAnyAttempt() {
        EventExecutor executor = TransportGroups.group(Transport.NIO).next();
        AtomicInteger calls = new AtomicInteger();
        Function<InetSocketAddress, ChannelFuture> connector = address -> {
            calls.incrementAndGet();
            throw new AssertionError("no attempt expected");
        };
        assertThatThrownBy(() -> HappyEyeballs.connect(List.of(), null, 0, connector, executor))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no address to connect to");
        assertThatThrownBy(() -> HappyEyeballs.connect(List.of(V4A), Duration.ofMillis(-1), 0, connector, executor))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay < 0");
        assertThatThrownBy(() -> HappyEyeballs.connect(List.of(V4A), null, -2, connector, executor))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("interleave < 0: -2");
        assertThatThrownBy(() -> HappyEyeballs.connect(
                List.of(V4A, InetSocketAddress.createUnresolved("example", 1)), null, 0, connector, executor))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved address");
        assertThatThrownBy(() -> HappyEyeballs.connect(null, null, 0, connector, executor))
                .isInstanceOf(NullPointerException.class).hasMessage("addresses");
        assertThatThrownBy(() -> HappyEyeballs.connect(List.of(V4A), null, 0, null, executor))
                .isInstanceOf(NullPointerException.class).hasMessage("connector");
        assertThatThrownBy(() -> HappyEyeballs.connect(List.of(V4A), null, 0, connector, null))
                .isInstanceOf(NullPointerException.class).hasMessage("timerExecutor");
        assertThat(calls).hasValue(0);
    }

    // ------------------------------------------------------------------------------------------ races

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aRefusedAttemptStartsTheNextAtOnce(Transport transport) throws Exception {
        InetSocketAddress refusing = refusingAddress();
        InetSocketAddress working = workingAddress();
        Recorder recorder = new Recorder(connector(transport), Map.of(refusing, "refusing", working, "working"));

        // The delay is never reached: the working attempt can only have been started by the refusal.
        Channel winner = await(HappyEyeballs.connect(List.of(refusing, working), FOREVER, 0, recorder,
                executor(transport)));

        assertThat(winner.remoteAddress()).isEqualTo(working);
        assertThat(recorder.events()).containsExactly(
                "start refusing", "fail refusing", "start working", "connect working");
        assertClosed(recorder.attempt(refusing).channel());
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void withoutADelayAttemptsRunOneAfterAnother(Transport transport) throws Exception {
        InetSocketAddress refusing1 = refusingAddress();
        InetSocketAddress refusing2 = refusingAddress();
        InetSocketAddress working = workingAddress();
        Recorder recorder = new Recorder(connector(transport),
                Map.of(refusing1, "r1", refusing2, "r2", working, "working"));

        Channel winner = await(HappyEyeballs.connect(List.of(refusing1, refusing2, working), null, 0, recorder,
                executor(transport)));

        assertThat(winner.remoteAddress()).isEqualTo(working);
        assertThat(recorder.events()).containsExactly(
                "start r1", "fail r1", "start r2", "fail r2", "start working", "connect working");
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void whenEveryAddressRefusesTheFailureCarriesEachOne(Transport transport) throws Exception {
        List<InetSocketAddress> addresses = List.of(refusingAddress(), refusingAddress(), refusingAddress());
        Recorder recorder = new Recorder(connector(transport), Map.of());

        Throwable failure = failureOf(HappyEyeballs.connect(addresses, Duration.ZERO, 1, recorder,
                executor(transport)));

        assertThat(failure).isInstanceOf(ConnectException.class)
                .hasMessageContaining("cannot connect to any of 3 addresses");
        for (InetSocketAddress address : addresses) {
            assertThat(failure.getMessage()).contains(address.toString());
        }
        assertThat(failure.getSuppressed()).hasSize(3).allSatisfy(
                suppressed -> assertThat(suppressed).isInstanceOf(ConnectException.class));
        // in attempt order: each is the cause of that address's attempt
        for (int i = 0; i < addresses.size(); i++) {
            assertThat(failure.getSuppressed()[i]).isSameAs(recorder.attempt(addresses.get(i)).cause());
            assertClosed(recorder.attempt(addresses.get(i)).channel());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aSingleRefusedAddressFailsWithItsOwnFailure(Transport transport) throws Exception {
        InetSocketAddress refusing = refusingAddress();
        Recorder recorder = new Recorder(connector(transport), Map.of());

        Throwable failure = failureOf(HappyEyeballs.connect(List.of(refusing), HappyEyeballs.DEFAULT_DELAY, 1,
                recorder, executor(transport)));

        assertThat(failure).isInstanceOf(ConnectException.class).isSameAs(recorder.attempt(refusing).cause());
        assertThat(failure.getSuppressed()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aSlowAttemptIsOvertakenAfterTheDelayAndCancelled(Transport transport) throws Exception {
        InetSocketAddress slow = ip("192.0.2.10");
        InetSocketAddress working = workingAddress();
        Recorder recorder = new Recorder(slowFor(transport, slow), Map.of(slow, "slow", working, "working"));

        Channel winner = await(HappyEyeballs.connect(List.of(slow, working), Duration.ofMillis(50), 0, recorder,
                executor(transport)));

        assertThat(winner.remoteAddress()).isEqualTo(working);
        ChannelFuture slowAttempt = recorder.attempt(slow);
        assertThat(slowAttempt.awaitUninterruptibly(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(slowAttempt.isCancelled()).isTrue();
        assertClosed(slowAttempt.channel());
        recorder.awaitOutcomes(2);
        assertThat(recorder.events()).containsExactly("start slow", "start working", "connect working", "fail slow");
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aConnectorThatThrowsCountsAsAFailedAddress(Transport transport) throws Exception {
        InetSocketAddress broken = ip("192.0.2.11");
        InetSocketAddress working = workingAddress();
        Function<InetSocketAddress, ChannelFuture> real = connector(transport);
        Recorder recorder = new Recorder(address -> {
            if (address.equals(broken)) {
                throw new IllegalStateException("connector broke");
            }
            return real.apply(address);
        }, Map.of(broken, "broken", working, "working"));

        Channel winner = await(HappyEyeballs.connect(List.of(broken, working), FOREVER, 0, recorder,
                executor(transport)));

        assertThat(winner.remoteAddress()).isEqualTo(working);
        assertThat(recorder.events()).containsExactly("start broken", "start working", "connect working");
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void twoWorkingAddressesGiveOneWinnerAndTheLoserIsClosed(Transport transport) throws Exception {
        InetSocketAddress first = workingAddress();
        InetSocketAddress second = workingAddress();
        // Neither connect is reported before both have started; the reported futures cannot be cancelled, so the
        // loser can only be ended by closing its channel, and if it connects anyway it must be closed then.
        Function<InetSocketAddress, ChannelFuture> real = connector(transport);
        List<Runnable> held = new ArrayList<>();
        Map<InetSocketAddress, ChannelPromise> reported = new ConcurrentHashMap<>();
        Function<InetSocketAddress, ChannelFuture> gated = address -> {
            ChannelFuture connect = real.apply(address);
            ChannelPromise report = connect.channel().newPromise();
            report.setUncancellable();
            reported.put(address, report);
            List<Runnable> release = List.of();
            synchronized (held) {
                held.add(() -> connect.addListener(f -> {
                    if (f.isSuccess()) {
                        report.trySuccess();
                    } else {
                        report.tryFailure(f.cause());
                    }
                }));
                if (held.size() == 2) {
                    release = List.copyOf(held);
                }
            }
            release.forEach(Runnable::run);
            return report;
        };
        Recorder recorder = new Recorder(gated, Map.of(first, "first", second, "second"));

        Channel winner = await(HappyEyeballs.connect(List.of(first, second), Duration.ZERO, 0, recorder,
                executor(transport)));

        assertThat(recorder.events()).startsWith("start first", "start second");
        assertThat(winner.isOpen()).isTrue();
        InetSocketAddress loserAddress = winner.remoteAddress().equals(first) ? second : first;
        assertThat(winner.remoteAddress()).isIn(first, second);
        ChannelPromise loser = reported.get(loserAddress);
        assertThat(loser.channel()).isNotSameAs(winner);
        assertThat(loser.awaitUninterruptibly(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertClosed(loser.channel());
        assertThat(winner.isOpen()).isTrue();
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void cancellingClosesEveryAttempt(Transport transport) throws Exception {
        List<InetSocketAddress> addresses = List.of(ip("192.0.2.20"), ip("2001:db8::20"), ip("192.0.2.21"));
        Recorder recorder = new Recorder(slowFor(transport, addresses.toArray(new InetSocketAddress[0])), Map.of());

        CompletableFuture<Channel> race = HappyEyeballs.connect(addresses, Duration.ZERO, 1, recorder,
                executor(transport));
        assertThat(recorder.recorded.tryAcquire(3, HANG_SECONDS, TimeUnit.SECONDS)).as("3 attempts").isTrue();
        assertThat(race.cancel(true)).isTrue();

        for (InetSocketAddress address : addresses) {
            ChannelFuture attempt = recorder.attempt(address);
            assertThat(attempt.isCancelled()).isTrue();
            assertClosed(attempt.channel());
        }
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void cancellingBeforeTheDelayStartsNothingMore(Transport transport) throws Exception {
        InetSocketAddress slow = ip("192.0.2.30");
        InetSocketAddress next = ip("192.0.2.31");
        Recorder recorder = new Recorder(slowFor(transport, slow, next), Map.of(slow, "slow", next, "next"));

        CompletableFuture<Channel> race = HappyEyeballs.connect(List.of(slow, next), FOREVER, 0, recorder,
                executor(transport));
        race.cancel(false);

        ChannelFuture attempt = recorder.attempt(slow);
        assertThat(attempt.isCancelled()).isTrue();
        assertClosed(attempt.channel());
        recorder.awaitOutcomes(1);
        assertThat(recorder.events()).containsExactly("start slow", "fail slow");
    }

    @ParameterizedTest
    @MethodSource(TransportGroups.ALL)
    void aResolverPicksTheAddressesAndTheWorkingOneWins(Transport transport) throws Exception {
        InetSocketAddress working = workingAddress(); // 127.0.0.1 only: the same port elsewhere refuses
        HappyEyeballs.Resolver resolver = host -> List.of(InetAddress.getByName("::1"),
                InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1"));
        List<InetSocketAddress> addresses = HappyEyeballs.resolve(resolver, "test.invalid", working.getPort());
        Recorder recorder = new Recorder(connector(transport), Map.of());

        Channel winner = await(HappyEyeballs.connect(addresses, HappyEyeballs.DEFAULT_DELAY,
                HappyEyeballs.defaultInterleave(HappyEyeballs.DEFAULT_DELAY), recorder, executor(transport)));

        assertThat(winner.remoteAddress()).isEqualTo(working);
        assertThat(recorder.started).containsExactly(addresses.get(0), addresses.get(1), addresses.get(2));
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** Records each attempt's start and outcome, in the order they happen, and tracks every channel it made. */
    private final class Recorder implements Function<InetSocketAddress, ChannelFuture> {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        /** A copy of the events so far (connects still arriving on event loops would break an iteration). */
        List<String> events() {
            synchronized (events) {
                return List.copyOf(events);
            }
        }
        final List<InetSocketAddress> started = new CopyOnWriteArrayList<>();
        /** A permit per attempt, once {@link #attempt} knows it. */
        final Semaphore recorded = new Semaphore(0);
        /** A permit per attempt whose outcome is in {@link #events}. */
        private final Semaphore outcomes = new Semaphore(0);
        private final Map<InetSocketAddress, ChannelFuture> attempts = new ConcurrentHashMap<>();
        private final Function<InetSocketAddress, ChannelFuture> delegate;
        private final Map<InetSocketAddress, String> labels;

        Recorder(Function<InetSocketAddress, ChannelFuture> delegate, Map<InetSocketAddress, String> labels) {
            this.delegate = delegate;
            this.labels = labels;
        }

        @Override
        public ChannelFuture apply(InetSocketAddress address) {
            String label = labels.getOrDefault(address, address.toString());
            events.add("start " + label);
            started.add(address);
            ChannelFuture attempt = delegate.apply(address);
            channels.add(attempt.channel());
            attempts.put(address, attempt);
            attempt.addListener(f -> {
                events.add((f.isSuccess() ? "connect " : "fail ") + label);
                outcomes.release();
            });
            recorded.release();
            return attempt;
        }

        /** Waits (bounded) until {@code n} attempts have their outcome in {@link #events}. */
        void awaitOutcomes(int n) throws InterruptedException {
            assertThat(outcomes.tryAcquire(n, HANG_SECONDS, TimeUnit.SECONDS)).as("%s outcomes", n).isTrue();
            outcomes.release(n);
        }

        ChannelFuture attempt(InetSocketAddress address) {
            return attempts.get(address);
        }
    }

    private static Bootstrap bootstrap(Transport transport) {
        return new Bootstrap()
                .group(TransportGroups.group(transport))
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TimeUnit.SECONDS.toMillis(HANG_SECONDS))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                    }
                });
    }

    private static Function<InetSocketAddress, ChannelFuture> connector(Transport transport) {
        return bootstrap(transport)::connect;
    }

    /**
     * Connects for real, except to {@code slow} addresses: for those a registered channel and a connect future that
     * never completes (cancelling it closes the channel, as a real connect's would).
     */
    private static Function<InetSocketAddress, ChannelFuture> slowFor(Transport transport, InetSocketAddress... slow) {
        Bootstrap bootstrap = bootstrap(transport);
        List<InetSocketAddress> slowOnes = List.of(slow);
        return address -> {
            if (!slowOnes.contains(address)) {
                return bootstrap.connect(address);
            }
            Channel channel = bootstrap.register().channel();
            ChannelPromise never = channel.newPromise();
            never.addListener(f -> {
                if (f.isCancelled()) {
                    channel.close();
                }
            });
            return never;
        };
    }

    private static EventExecutor executor(Transport transport) {
        EventLoopGroup group = TransportGroups.group(transport);
        return group.next();
    }

    /** A listening socket on 127.0.0.1 (connections complete in its backlog; none is accepted). */
    private InetSocketAddress workingAddress() throws IOException {
        ServerSocket server = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"));
        servers.add(server);
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** A port on 127.0.0.1 that was bound and closed again: connecting to it is refused. */
    private static InetSocketAddress refusingAddress() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        }
    }

    private Channel await(CompletableFuture<Channel> race) throws Exception {
        Channel channel = race.get(HANG_SECONDS, TimeUnit.SECONDS);
        channels.add(channel);
        return channel;
    }

    private static Throwable failureOf(CompletableFuture<Channel> race) throws Exception {
        try {
            Channel unexpected = race.get(HANG_SECONDS, TimeUnit.SECONDS);
            unexpected.close();
            throw new AssertionError("connected to " + unexpected);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            throw new AssertionError("cancelled", e);
        }
    }

    private static void assertClosed(Channel channel) {
        assertThat(channel.closeFuture().awaitUninterruptibly(HANG_SECONDS, TimeUnit.SECONDS))
                .as("%s closed", channel).isTrue();
        assertThat(channel.isOpen()).isFalse();
    }
}
