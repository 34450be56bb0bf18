/**
 * The Netty implementation of the streams API: {@link dev.streams.netty.NettyStreams} (open connections, start
 * servers, attach to a channel, make a standalone reader), the option values {@link dev.streams.netty.ConnectOptions}
 * and {@link dev.streams.netty.ServerOptions}, and {@link dev.streams.netty.FeedableStreamReader}. Everything else is
 * in a package that is not exported.
 */
package dev.streams.netty;
