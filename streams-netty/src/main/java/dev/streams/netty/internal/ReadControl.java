package dev.streams.netty.internal;

/** Turns reading from the source on and off: the reader's read-side back-pressure (a channel's autoRead). */
@FunctionalInterface
interface ReadControl {

    /** For a reader that is fed by hand: there is nothing to stop. */
    ReadControl NONE = reading -> { };

    /** Asks the source to read ({@code true}) or to stop reading ({@code false}); called only on a change. */
    void setReading(boolean reading);
}
