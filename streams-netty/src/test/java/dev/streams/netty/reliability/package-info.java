/**
 * The reliability and security suite: floods without separators, slow readers, peer resets, many connections,
 * chunking fuzz against a reference model, cancellation under load, connect timeouts, shutdown and misuse. Each test
 * prints the figures it measured as {@code FIGURE <name>: ...} lines (collected in {@code RELIABILITY.md}); the
 * system property {@code dev.streams.soak=true} (the {@code soak} Maven profile) makes the flood, slow-reader and
 * many-connections cases ten times larger.
 */
package dev.streams.netty.reliability;
