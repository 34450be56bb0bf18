/**
 * Internals (not exported). The data path, one job per file: {@code StreamsChannelHandler} (socket events in;
 * {@code StartTls} puts TLS in front of it, {@code ConnectionNames} names connections) → {@code ByteBufStreamReader}
 * (the reads, the waiting read and who claims it ({@code ReadFuture}), feeding, EOF and failure), one object with its
 * superclasses {@code ReadBackPressure} (autoRead off above {@code 2 × limit}, on at {@code limit}; what the
 * {@code ReadControl} is told, which {@code ChannelReadControl} applies to the channel) and {@code UnreadBytes}
 * (the buffer, and asyncio's rules answering a read from it), {@code ReadBuffers} moving the bytes (the one copy, the
 * separator search) → the user's future; the user's writes → the writer (below) → socket.
 * {@code NettyStreamServer} tracks a server's sockets and connections, {@code Handlers} runs user handlers,
 * {@code Transport} picks epoll or NIO, {@code BlockingExecutor} runs blocking handlers on the chosen
 * {@code BlockingScheduler}: {@code LoopCarrier} carries a handler's virtual thread on its connection's event loop,
 * {@code VirtualThreads} reaches the JDK's virtual threads by reflection. On a server's listening channels,
 * {@code AcceptGuard} survives failed accepts (out of descriptors) and {@code ConnectionLimiter} keeps
 * {@code maxConnections}; on its TLS connections {@code RenegotiationGuard} refuses client renegotiation.
 * {@code JdkExceptions} turns the transports' failures into the JDK's exception types. The writer:
 * {@code ChannelStreamWriter} is its face, {@code WriteQueue} (with {@code PendingWrites}, {@code HandOff},
 * {@code CarriedWrites}) owns its buffers, {@code FileSender} sends its files ({@code sendFile}), {@code Drainers}
 * holds the callers of {@code drain()}, {@code WriterState} its state, lock and {@code waitClosed()}.
 */
package dev.streams.netty.internal;
