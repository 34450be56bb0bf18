package dev.streams.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server channel's handlers on an {@link EmbeddedChannel} standing in for a server channel (its inbound messages
 * are the accepted channels): {@link AcceptGuard} pauses and retries accepting after a failed accept, warns once per
 * episode and passes no accept error on; {@link ConnectionLimiter} closes what is accepted beyond the limit. Time is
 * the embedded channel's frozen clock.
 */
class AcceptGuardTest {

    private static EmbeddedChannel serverChannel(ConnectionLimiter limiter) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(AcceptGuard.forServer("StreamServer[test]", limiter));
        return channel;
    }

    private static IOException emfile() {
        return new Errors.NativeIoException("accept(..) failed with error(-24): Too many open files", -24);
    }

    @Test
    void aFailedAcceptPausesAcceptingAndItIsRetriedAfterThePause() {
        EmbeddedChannel server = serverChannel(null);
        AcceptGuard guard = server.pipeline().get(AcceptGuard.class);
        assertThat(server.config().isAutoRead()).isTrue();

        server.pipeline().fireExceptionCaught(emfile());
        server.checkException(); // the error stopped at the guard: nothing reached the end of the pipeline
        assertThat(server.config().isAutoRead()).as("paused").isFalse();

        server.advanceTimeBy(AcceptGuard.RETRY_MILLIS - 1, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();
        assertThat(server.config().isAutoRead()).as("still paused just before the retry").isFalse();
        server.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();
        assertThat(server.config().isAutoRead()).as("accepting again after %d ms", AcceptGuard.RETRY_MILLIS).isTrue();

        server.pipeline().fireExceptionCaught(emfile()); // still out of descriptors
        assertThat(server.config().isAutoRead()).isFalse();
        assertThat(guard.failedAccepts()).isEqualTo(2);
        assertThat(guard.episodes()).as("one episode: no accept succeeded in between").isEqualTo(1);
        assertThat(server.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anEpisodeEndsWithTheNextAcceptedConnectionAndEachEpisodeWarnsOnce() {
        EmbeddedChannel server = serverChannel(null);
        AcceptGuard guard = server.pipeline().get(AcceptGuard.class);
        for (int i = 0; i < 5; i++) {
            server.pipeline().fireExceptionCaught(emfile());
        }
        assertThat(guard.episodes()).isEqualTo(1);
        server.advanceTimeBy(AcceptGuard.RETRY_MILLIS, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();

        EmbeddedChannel accepted = new EmbeddedChannel();
        server.writeInbound(accepted);
        assertThat((Channel) server.readInbound()).as("accepted connections pass on").isSameAs(accepted);
        server.pipeline().fireExceptionCaught(emfile());
        assertThat(guard.episodes()).as("a new episode after a successful accept").isEqualTo(2);
        assertThat(guard.failedAccepts()).isEqualTo(6);
        server.checkException();
        accepted.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    @Test
    void aClosedServerChannelIsNotReopenedForAcceptingByTheRetry() {
        EmbeddedChannel server = serverChannel(null);
        server.pipeline().fireExceptionCaught(emfile());
        server.close();
        server.advanceTimeBy(AcceptGuard.RETRY_MILLIS, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();
        assertThat(server.config().isAutoRead()).isFalse();
    }

    @Test
    void beyondTheLimitAcceptedConnectionsAreClosedAtOnceAndCounted() {
        ServerCounters counters = new ServerCounters(() -> 0);
        ConnectionLimiter limiter = new ConnectionLimiter("StreamServer[test]", 2, counters);
        EmbeddedChannel server = serverChannel(limiter);
        EmbeddedChannel first = new EmbeddedChannel();
        EmbeddedChannel second = new EmbeddedChannel();
        EmbeddedChannel third = new EmbeddedChannel();
        server.writeInbound(first);
        server.writeInbound(second);
        server.writeInbound(third);
        assertThat((Channel) server.readInbound()).isSameAs(first);
        assertThat((Channel) server.readInbound()).isSameAs(second);
        assertThat(server.<Object>readInbound()).as("the third goes no further").isNull();
        assertThat(third.isOpen()).as("closed at once").isFalse();
        assertThat(counters.connectionsRefused()).isEqualTo(1);
        assertThat(limiter.open()).isEqualTo(2);

        first.close();
        assertThat(limiter.open()).as("a closed connection makes room").isEqualTo(1);
        EmbeddedChannel fourth = new EmbeddedChannel();
        server.writeInbound(fourth);
        assertThat((Channel) server.readInbound()).isSameAs(fourth);
        assertThat(counters.connectionsRefused()).isEqualTo(1);
        assertThat(limiter.open()).isEqualTo(2);
        for (EmbeddedChannel channel : new EmbeddedChannel[] {second, third, fourth, server}) {
            channel.finishAndReleaseAll();
        }
    }
}
