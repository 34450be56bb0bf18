/**
 * Runnable examples on the streams API, one class per subcommand of the jar's {@link dev.streams.examples.Main}.
 *
 * <p>Read first: the asyncio tutorial itself, each a short program with a {@code main} that follows the Python line
 * for line — {@link dev.streams.examples.TutorialEchoServer}, {@link dev.streams.examples.TutorialEchoClient} and
 * {@link dev.streams.examples.TutorialHttpGet}.
 *
 * <p>The tools, with options, both styles and error handling:
 * {@link dev.streams.examples.EchoServer} and {@link dev.streams.examples.EchoClient} (the asyncio tutorial's echo
 * pair, in both the future-based and the blocking style), {@link dev.streams.examples.HttpGet} (an HTTP/1.1 client
 * whose parser, {@link dev.streams.examples.HttpResponseParser}, shows {@code readLine}, {@code readUntil},
 * {@code readExactly} and {@code read} at work), {@link dev.streams.examples.Demo} and
 * {@link dev.streams.examples.AttachDemo} (a Netty server of the application's own, with streams code behind
 * {@code NettyStreams.attach}). {@code TlsSupport} holds what the TLS options share: certificates (a self-signed one
 * made by {@code SelfSignedCertificate} with the JDK alone), trust, fingerprints.
 *
 * <p>Every tool is a method {@code run(String[] args, PrintStream out, PrintStream err)} that returns the exit
 * code, so that tests can call it in-process; {@code Main.main} passes the code to {@code System.exit}.
 */
package dev.streams.examples;
