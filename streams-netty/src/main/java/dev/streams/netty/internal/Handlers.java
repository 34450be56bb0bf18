package dev.streams.netty.internal;

import dev.streams.BlockingClientHandler;
import dev.streams.ClientHandler;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * Runs the user's handler for a connection and closes the connection (after a flush) when it is done. A failure is
 * logged once, at WARN, with the connection's name; it affects no other connection.
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
            LOG.warn("{}: handler failed", connection, unwrap(failure));
        }
        connection.writer().close();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
