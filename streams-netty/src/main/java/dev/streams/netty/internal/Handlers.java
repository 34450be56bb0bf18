package dev.streams.netty.internal;

import dev.streams.BlockingClientHandler;
import dev.streams.ClientHandler;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * Runs the user's handler for a connection and closes the connection (after a flush) when it is done. A failure is
 * logged once, at WARN, with the connection's name; it affects no other connection. A handler that ends with the
 * connection's own loss (a reset, a TLS error, the idle timeout: the reader's failure) is no handler failure: the
 * stream handler logged that loss already (at DEBUG, one line), so it is not logged again; one that ends with
 * {@link ClosedChannelException} once its channel is closed (the peer left while it wrote) is one DEBUG line.
 * The failures logged at WARN are the ones a server counts in its metrics ({@code handlerFailures}).
 */
public final class Handlers {

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(Handlers.class);

    private Handlers() {
    }

    /** Calls {@code handler} on the event loop; closes the connection when its stage completes. */
    public static void runAsync(ClientHandler handler, NettyStreamConnection connection) {
        CompletionStage<?> stage;
        try {
            stage = handler.handle(connection.reader(), connection.writer());
        } catch (Throwable t) {
            finish(connection, t);
            return;
        }
        if (stage == null) {
            finish(connection, null);
        } else {
            stage.whenComplete((ignored, failure) -> finish(connection, failure));
        }
    }

    /** Calls {@code handler} on a thread of {@code executor}; closes the connection when it returns. */
    public static void runBlocking(BlockingClientHandler handler, NettyStreamConnection connection,
                                   BlockingExecutor executor) {
        try {
            executor.start(connection, () -> {
                Throwable failure = null;
                try {
                    handler.handle(connection.reader(), connection.writer());
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    finish(connection, failure);
                }
            });
        } catch (RuntimeException rejected) {
            finish(connection, rejected);
        }
    }

    private static void finish(NettyStreamConnection connection, Throwable failure) {
        if (failure != null) {
            Throwable cause = unwrap(failure);
            if (cause instanceof ClosedChannelException && !connection.writer().channel().isOpen()) {
                if (LOG.isDebugEnabled()) {
                    LOG.debug("{}: handler ended: {}", connection, String.valueOf(cause));
                }
            } else if (!causedBy(cause, connection.reader().exception())) {
                ServerCounters.handlerFailed(connection);
                LOG.warn("{}: handler failed", connection, cause);
            } // else the connection's loss, which the stream handler logged when it happened
        }
        connection.writer().close();
    }

    /** Whether {@code loss} (the connection's failure, or null) is {@code t} or one of its first 16 causes. */
    private static boolean causedBy(Throwable t, Throwable loss) {
        for (int depth = 0; loss != null && t != null && depth < 16; depth++, t = t.getCause()) {
            if (t == loss) {
                return true;
            }
        }
        return false;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
