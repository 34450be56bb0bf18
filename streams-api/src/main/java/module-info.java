/**
 * The contracts of the streams library: asyncio's {@code StreamReader}, {@code StreamWriter}, servers and
 * handlers as Java interfaces, the two stream exceptions and {@link dev.streams.Await}. JDK only; the Netty
 * implementation lives in {@code dev.streams.netty}.
 */
module dev.streams {
    exports dev.streams;

    uses dev.streams.Await.BlockingGuard;
}
