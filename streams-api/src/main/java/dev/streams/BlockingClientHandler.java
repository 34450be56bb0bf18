package dev.streams;

/**
 * Serves one connection with plain blocking code: one virtual thread per connection where the JVM has them (Java
 * 21+), a bounded pool of platform threads on Java 17. Block with {@link Await#await}.
 *
 * <pre>{@code
 * BlockingClientHandler echo = (reader, writer) -> {
 *     byte[] line;
 *     while ((line = await(reader.readLine())).length > 0) {
 *         writer.write(line);
 *         await(writer.drain());
 *     }
 * };
 * }</pre>
 *
 * <p>When {@code handle} returns, the connection is closed (after a flush). When it throws, the failure is logged once
 * with the connection's name and the connection is closed; the server goes on serving.
 */
@FunctionalInterface
public interface BlockingClientHandler {

    /**
     * Serves a connection until done; runs on a thread of its own.
     *
     * @param reader the connection's reader
     * @param writer the connection's writer
     * @throws Exception anything: logged once with the connection's name, and the connection is closed
     */
    void handle(StreamReader reader, StreamWriter writer) throws Exception;
}
