package dev.streams.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The users' socket options ({@code option(ChannelOption, value)}, {@code serverOption}): checked against the channel
 * class they will be set on, and set with a check.
 *
 * <p>Netty's bootstraps only log an option that a channel does not know (or a value it refuses); here either fails
 * the call that was given it. The check sets the option on a probe: a channel of the same class that is never
 * registered or connected (it opens a socket, sets the option and closes it). Each (class, option, value) is probed
 * once; the answer is remembered.
 */
final class SocketOptions {

    /** The (class, option, value) triples that were set on a probe without complaint. */
    private static final Map<List<Object>, Boolean> CHECKED = new ConcurrentHashMap<>();
    /** Enough for every option an application uses; past it, the cache starts again. */
    private static final int MAX_CHECKED = 1024;

    private SocketOptions() {
    }

    /**
     * Checks that a channel of class {@code type} takes each option and value.
     *
     * @param type    the channel class (it must have a public no-argument constructor, as Netty's socket channels do)
     * @param options the options and values
     * @throws IllegalArgumentException naming the first option the class does not know or whose value it refuses
     */
    static void check(Class<? extends Channel> type, Map<ChannelOption<?>, Object> options) {
        if (options.isEmpty()) {
            return;
        }
        Channel probe = null;
        try {
            for (Map.Entry<ChannelOption<?>, Object> entry : options.entrySet()) {
                List<Object> key = List.of(type, entry.getKey(), entry.getValue());
                if (CHECKED.containsKey(key)) {
                    continue;
                }
                if (probe == null) {
                    probe = newProbe(type);
                }
                set(probe, entry.getKey(), entry.getValue());
                if (CHECKED.size() >= MAX_CHECKED) {
                    CHECKED.clear();
                }
                CHECKED.put(key, Boolean.TRUE);
            }
        } finally {
            if (probe != null) {
                probe.unsafe().closeForcibly(); // never registered: no event loop to close it on
            }
        }
    }

    /**
     * Sets each option on {@code channel}.
     *
     * @throws IllegalArgumentException naming the first option the channel does not know or whose value it refuses
     */
    static void apply(Channel channel, Map<ChannelOption<?>, Object> options) {
        for (Map.Entry<ChannelOption<?>, Object> entry : options.entrySet()) {
            set(channel, entry.getKey(), entry.getValue());
        }
    }

    @SuppressWarnings("unchecked")
    private static void set(Channel channel, ChannelOption<?> option, Object value) {
        boolean known;
        try {
            known = channel.config().setOption((ChannelOption<Object>) option, value);
        } catch (RuntimeException e) { // ChannelException, IllegalArgumentException, ClassCastException
            throw new IllegalArgumentException("socket option " + option.name() + " refused the value " + value
                    + " on " + channel.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        if (!known) {
            throw new IllegalArgumentException("socket option " + option.name() + " is not supported by "
                    + channel.getClass().getSimpleName() + ": " + option.name());
        }
    }

    private static Channel newProbe(Class<? extends Channel> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot open a " + type.getSimpleName() + " to check socket options",
                    e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a " + type.getSimpleName() + " to check socket options", e);
        }
    }
}
