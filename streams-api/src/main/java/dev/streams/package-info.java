/**
 * asyncio Streams for the JVM: the contracts.
 *
 * <p>A connection is a {@link dev.streams.StreamReader} (bytes in, read as futures) and a
 * {@link dev.streams.StreamWriter} (bytes out, with {@code drain()} for back-pressure). Servers call a
 * {@link dev.streams.ClientHandler} (future-based, on the event loop) or a {@link dev.streams.BlockingClientHandler}
 * (plain blocking code, on its own virtual thread) for each connection. {@link dev.streams.Await#await} turns any
 * future into a blocking call, so blocking code reads like the Python:
 *
 * <pre>{@code
 * import static dev.streams.Await.await;
 *
 * byte[] line = await(reader.readLine());
 * writer.write(line);
 * await(writer.drain());
 * }</pre>
 *
 * <p>Names map onto asyncio's: {@code read}, {@code readexactly} → {@code readExactly}, {@code readuntil} →
 * {@code readUntil}, {@code readline} → {@code readLine}, {@code at_eof} → {@code atEof}, {@code write_eof} →
 * {@code writeEof}, {@code wait_closed} → {@code waitClosed}. The implementation and its entry point,
 * {@code NettyStreams}, are in the {@code streams-netty} module.
 */
package dev.streams;
