package dev.streams.netty;

/**
 * Which threads run the handlers of a blocking server ({@link NettyStreams#startBlockingServer}); chosen with
 * {@link ServerOptions.Builder#blockingScheduler(BlockingScheduler)}, {@link #AUTO} by default. Each connection's
 * handler runs on a thread of its own in every case; the choice is who carries that thread.
 *
 * <table>
 *   <caption>The schedulers</caption>
 *   <tr><th>scheduler</th><th>needs</th><th>carried by</th></tr>
 *   <tr><td>{@link #EVENT_LOOP}</td><td>Java 21+ and {@code java.base/java.lang} opened to this library</td>
 *       <td>the connection's own event loop</td></tr>
 *   <tr><td>{@link #VIRTUAL}</td><td>Java 21+</td><td>the JDK's default virtual-thread scheduler</td></tr>
 *   <tr><td>{@link #POOL}</td><td>any Java</td><td>a pool of {@link ServerOptions#blockingThreads()} platform
 *       threads</td></tr>
 * </table>
 */
public enum BlockingScheduler {

    /**
     * A virtual thread per connection, carried by the connection's own event loop: a read that completes resumes the
     * handler on the loop's thread, and its writes reach the channel there, with no hand-over between threads (the
     * speed of an async handler with the code of a blocking one).
     *
     * <p>The trade-off is the async API's: while a handler computes, the other connections of its event loop wait,
     * as they wait for a slow async callback. Blocking calls that park a virtual thread (the streams API, JDK sockets,
     * {@code Thread.sleep}, locks, and {@code synchronized} from Java 24 on) free the loop; a call that pins the
     * thread to its carrier (native code, file I/O, and on Java 21-23 {@code synchronized}) holds the whole loop
     * until it returns.
     *
     * <p>The JDK has no public API for a virtual thread's scheduler yet: this one is reached by reflection and needs
     * the JVM flag {@code --add-opens java.base/java.lang=ALL-UNNAMED} (or {@code =dev.streams.netty} on the module
     * path; an executable jar may carry {@code Add-Opens: java.base/java.lang} in its manifest). Asking for it where
     * it is not available fails {@code startBlockingServer} with {@link IllegalStateException}.
     */
    EVENT_LOOP,

    /**
     * A virtual thread per connection on the JDK's default scheduler (Java 21+): reads and writes cross between the
     * event loop and the carrier threads. A handler that computes or pins holds one carrier, not an event loop.
     * Asking for it before Java 21 fails {@code startBlockingServer} with {@link IllegalStateException}.
     */
    VIRTUAL,

    /**
     * A pool of {@link ServerOptions#blockingThreads()} platform threads (the only choice on Java 17-20): each
     * connection holds a thread for as long as its handler runs, so once every thread is taken — by clients that
     * merely sit idle, too — further connections wait, unanswered, for one to be free. The server logs one warning
     * when that first happens. Raise the pool's size, or end idle connections with an idle timeout.
     */
    POOL,

    /**
     * The default: {@link #EVENT_LOOP} where it is available and safe (Java 24+, where {@code synchronized} no longer
     * pins a virtual thread, with {@code java.base/java.lang} opened), else {@link #VIRTUAL} (Java 21+), else
     * {@link #POOL}.
     */
    AUTO
}
