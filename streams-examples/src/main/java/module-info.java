/**
 * Examples on the streams API: the asyncio tutorial's echo server and client, an HTTP/1.1 GET client and a
 * self-contained demo. Run them from the shaded jar: {@code java -jar streams-examples.jar --help}.
 */
module dev.streams.examples {
    requires transitive dev.streams.netty;
    requires io.netty.handler;
    // LineBasedFrameDecoder, in front of an attached stream (attach-demo).
    requires io.netty.codec;
    // sun.misc.Signal, reached by reflection: Ctrl-C stops the echo server cleanly.
    requires jdk.unsupported;
    // --wiretap shows the wire logger's records (Netty logs through java.util.logging here).
    requires java.logging;

    exports dev.streams.examples;
}
