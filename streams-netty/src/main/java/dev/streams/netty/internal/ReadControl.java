package dev.streams.netty.internal;

/**
 * What a reader tells its source: its read-side back-pressure changed (a channel's autoRead), or it failed by itself.
 * Both are called after the reader's lock is released, since acting on them runs other code (turning autoRead on
 * runs every outbound handler's {@code read()}, which may deliver data at once).
 */
interface ReadControl {

    /** For a reader that is fed by hand: there is nothing to stop. */
    ReadControl NONE = new ReadControl() {
        @Override
        public void readingChanged() {
        }

        @Override
        public void readerFailed(Throwable cause) {
        }
    };

    /**
     * The reader's wish changed ({@link ByteBufStreamReader#autoReadWanted()}); apply the wish current when it is
     * applied, not the one of the change, so that changes told from several threads cannot end in the wrong state.
     */
    void readingChanged();

    /**
     * The reader failed by itself ({@code cause}, an {@link java.io.IOException} whose cause is an
     * {@link OutOfMemoryError}: it could not allocate memory for the bytes it holds): the source should close.
     */
    void readerFailed(Throwable cause);
}
