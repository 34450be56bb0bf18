/**
 * Micrometer meters for a {@link dev.streams.StreamServer}: {@link dev.streams.micrometer.StreamServerMetrics}, a
 * {@code MeterBinder}.
 */
package dev.streams.micrometer;
