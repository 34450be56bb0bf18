/**
 * Optional Micrometer support: {@link dev.streams.micrometer.StreamServerMetrics} binds a
 * {@link dev.streams.StreamServer}'s metrics to a Micrometer {@code MeterRegistry}. Needs only the API module and
 * {@code micrometer-core}.
 *
 * <p>{@code micrometer.core} is an automatic module (Micrometer 1.x ships no module descriptor, only that name); it is
 * required transitively because this module's API takes its types ({@code MeterRegistry}, {@code Tag}).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.streams.micrometer {
    requires transitive dev.streams;
    requires transitive micrometer.core;

    exports dev.streams.micrometer;
}
