/**
 * Tests of the reader ({@code ByteBufStreamReader} through {@code NettyStreams.newReader}) and of {@code Await}:
 * every row of API.md's StreamReader table over several chunkings ({@link dev.streams.netty.reader.Chunkings}), the
 * limit rules, errors, the single waiting read, cancellation and timeouts, back-pressure and argument checks.
 */
package dev.streams.netty.reader;
