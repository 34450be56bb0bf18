package dev.streams.bench.harness;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load harness: starts every line-echo server in its own JVM (and the Python ones when python3 is there), drives
 * them with {@link LoadClient} in a separate JVM, alternating, and prints a table per scenario with ratios against
 * the raw Netty echo. Then the idle scenario: each server, alone and fresh, holds N idle connections; heap, direct
 * memory and RSS per connection are measured after garbage collection.
 *
 * <p>Run it with {@code scripts/run-harness.sh} (which finds a JDK 21+ and keeps the output under
 * {@code results/}); options are described in {@link #usage()}.
 */
public final class Harness {

    static final List<String> JAVA_KINDS = List.of("netty-raw", "netty-line", "netty-line-bytes", "streams-async",
            "streams-buf", "streams-bytes", "streams-blocking", "streams-blocking-vt", "streams-blocking-pool",
            "jdk-vt");

    /** A load scenario: connections, line size (with its newline), lines in flight per connection. */
    static final class Scenario {
        final String name;
        final int conns;
        final int size;
        final int depth;

        Scenario(String name, int conns, int size, int depth) {
            this.name = name;
            this.conns = conns;
            this.size = size;
            this.depth = depth;
        }
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("pingpong-50c-100B", 50, 100, 1),
            new Scenario("pingpong-1c-100B", 1, 100, 1),
            new Scenario("pipelined-50c-16x100B", 50, 100, 16),
            new Scenario("large-10c-16KiB", 10, 16 * 1024, 1),
            new Scenario("large-10c-16x16KiB", 10, 16 * 1024, 16));

    private String serverJava = javaLauncher();
    private String clientJava = javaLauncher();
    private String jar = ownJar();
    private String python = "python3";
    private String pythonScript;
    private double warmup = 3;
    private double rewarmup = 0.5;
    private double measure = 2;
    private int rounds = 5;
    private int serverThreads = 1;
    private int clientThreads = 1;
    private int idle = 2000;
    private String heap = "2g";
    private List<String> scenarios = new ArrayList<>();
    private List<String> kinds = new ArrayList<>(JAVA_KINDS);

    private Harness() {
        for (Scenario s : SCENARIOS) {
            scenarios.add(s.name);
        }
        scenarios.add("idle");
    }

    static String usage() {
        return "Harness [--server-java PATH] [--client-java PATH] [--jar PATH] [--python python3|none]"
                + " [--python-script PATH] [--warmup S] [--rewarmup S] [--measure S] [--rounds N]"
                + " [--server-threads N] [--client-threads N] [--idle N] [--heap 2g]"
                + " [--scenarios a,b,..|all] [--kinds netty-raw,...]\n  scenarios: "
                + String.join(", ", names()) + ", idle";
    }

    private static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Scenario s : SCENARIOS) {
            names.add(s.name);
        }
        return names;
    }

    public static void main(String[] args) throws Exception {
        Harness h = new Harness();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--server-java": h.serverJava = value; i++; break;
                case "--client-java": h.clientJava = value; i++; break;
                case "--jar": h.jar = value; i++; break;
                case "--python": h.python = value; i++; break;
                case "--python-script": h.pythonScript = value; i++; break;
                case "--warmup": h.warmup = Double.parseDouble(value); i++; break;
                case "--rewarmup": h.rewarmup = Double.parseDouble(value); i++; break;
                case "--measure": h.measure = Double.parseDouble(value); i++; break;
                case "--rounds": h.rounds = Integer.parseInt(value); i++; break;
                case "--server-threads": h.serverThreads = Integer.parseInt(value); i++; break;
                case "--client-threads": h.clientThreads = Integer.parseInt(value); i++; break;
                case "--idle": h.idle = Integer.parseInt(value); i++; break;
                case "--heap": h.heap = value; i++; break;
                case "--scenarios":
                    if (!value.equals("all")) {
                        h.scenarios = Arrays.asList(value.split(","));
                    }
                    i++;
                    break;
                case "--kinds": h.kinds = Arrays.asList(value.split(",")); i++; break;
                default:
                    System.err.println("unknown option: " + args[i] + "\nusage: " + usage());
                    System.exit(2);
            }
        }
        h.run();
        System.exit(0);
    }

    // ------------------------------------------------------------------------------------------------ the run

    private void run() throws Exception {
        List<String> all = new ArrayList<>(kinds);
        boolean pythonThere = pythonScript != null && !python.equals("none") && works(python, "-c", "pass");
        boolean uvloop = pythonThere && works(python, "-c", "import uvloop");
        if (pythonThere) {
            all.add("py-asyncio");
            if (uvloop) {
                all.add("py-uvloop");
            }
        }
        say("# streams line-echo harness, " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        say("# machine: " + machine());
        say("# server JVM: " + javaVersion(serverJava) + " (" + serverJava + "), client JVM: "
                + javaVersion(clientJava));
        say("# python: " + (pythonThere ? javaVersionLine(python, "--version") + (uvloop ? " + uvloop" : " (no uvloop)")
                : "not run"));
        say(String.format(Locale.ROOT, "# warm-up %.1fs (later rounds %.1fs), measure %.1fs, rounds %d, server event"
                        + " loops %d, client event loops %d, idle connections %d", warmup, rewarmup, measure, rounds,
                serverThreads, clientThreads, idle));
        say("# contenders: " + String.join(", ", all));

        List<Scenario> load = new ArrayList<>();
        for (Scenario s : SCENARIOS) {
            if (scenarios.contains(s.name)) {
                load.add(s);
            }
        }
        Map<String, Map<String, List<double[]>>> results = new LinkedHashMap<>();
        if (!load.isEmpty()) {
            List<Server> servers = new ArrayList<>();
            try {
                for (String kind : all) {
                    servers.add(startServer(kind));
                }
                for (Scenario s : load) {
                    results.put(s.name, runScenario(s, servers));
                    printTable(s.name, results.get(s.name), all);
                }
            } finally {
                for (Server server : servers) {
                    server.stop();
                }
            }
        }
        Map<String, long[]> memory = new LinkedHashMap<>();
        if (scenarios.contains("idle")) {
            for (String kind : all) {
                memory.put(kind, idle(kind));
            }
            printIdle(memory);
        }
        say("");
        say("# ===== summary =====");
        for (Map.Entry<String, Map<String, List<double[]>>> e : results.entrySet()) {
            printTable(e.getKey(), e.getValue(), all);
        }
        if (!memory.isEmpty()) {
            printIdle(memory);
        }
    }

    /** Runs the client once for a scenario, over every server; returns per target its trials (rps, mbps, p50, p99). */
    private Map<String, List<double[]>> runScenario(Scenario s, List<Server> servers) throws Exception {
        say("");
        say("## " + s.name + ": " + s.conns + " connection(s), " + s.size + "-byte lines, " + s.depth
                + " in flight each");
        List<String> cmd = new ArrayList<>(List.of(clientJava, "-Xmx1g", "-Dio.netty.leakDetection.level=disabled"));
        cmd.addAll(jvmFlags(clientJava));
        cmd.addAll(List.of("-cp", jar, LoadClient.class.getName(), "--scenario", s.name, "--conns", "" + s.conns,
                "--size", "" + s.size, "--depth", "" + s.depth, "--warmup", "" + warmup, "--rewarmup", "" + rewarmup,
                "--measure", "" + measure, "--rounds", "" + rounds, "--threads", "" + clientThreads));
        for (Server server : servers) {
            cmd.add("--target");
            cmd.add(server.kind + "=" + server.port);
        }
        Map<String, long[]> before = new LinkedHashMap<>();
        for (Server server : servers) {
            before.put(server.kind, server.usage());
        }
        Process client = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, List<double[]>> trials = new LinkedHashMap<>();
        Map<String, Long> echoes = new LinkedHashMap<>();
        Pattern trial = Pattern.compile("TRIAL .* target=(\\S+) round=(\\d+) rps=(\\S+) mbps=(\\S+) p50us=(\\S+)"
                + " p99us=(\\S+) errors=(\\d+) echoes=(\\d+)");
        try (BufferedReader out = reader(client)) {
            String line;
            while ((line = out.readLine()) != null) {
                say(line);
                Matcher m = trial.matcher(line);
                if (m.find()) {
                    // rps, mbps, p50, p99, errors, cpu µs/echo, bytes/echo, round
                    trials.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(new double[] {
                            Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)),
                            Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)),
                            Double.parseDouble(m.group(7)), 0, -1, Double.parseDouble(m.group(2))});
                    echoes.merge(m.group(1), Long.parseLong(m.group(8)), Long::sum);
                }
            }
        }
        client.waitFor();
        // Server cost per echo over the whole scenario (warm-ups included): CPU time of the process, heap allocated.
        for (Server server : servers) {
            long[] after = server.usage();
            long[] was = before.get(server.kind);
            long n = echoes.getOrDefault(server.kind, 0L);
            List<double[]> t = trials.get(server.kind);
            if (t == null || n == 0) {
                continue;
            }
            double cpuMicros = (after[0] - was[0]) / 1e3 / n;
            double bytes = after[1] < 0 || was[1] < 0 ? -1 : (double) (after[1] - was[1]) / n;
            for (double[] row : t) {
                row[5] = cpuMicros;
                row[6] = bytes;
            }
            say(String.format(Locale.ROOT, "COST scenario=%s target=%s echoes=%d cpu_us_per_echo=%.2f"
                    + " alloc_bytes_per_echo=%.0f", s.name, server.kind, n, cpuMicros, bytes));
        }
        return trials;
    }

    /**
     * One row per server: medians over the rounds of req/s, MB/s, p50 and p99; the ratio is the median over the
     * rounds of (req/s of the server ÷ req/s of netty-raw in the same round), so that a noisy round moves both.
     */
    private void printTable(String scenario, Map<String, List<double[]>> trials, List<String> order) {
        say("");
        say("### " + scenario + " (medians of " + rounds + " alternated rounds; × raw: median of per-round ratios;"
                + " CPU µs/req and B/req: the server process per echo, warm-ups included)");
        say(String.format(Locale.ROOT, "| %-16s | %10s | %8s | %9s | %9s | %8s | %11s | %9s | %6s |", "server",
                "req/s", "MB/s", "p50 µs", "p99 µs", "× raw", "CPU µs/req", "B/req", "errors"));
        say("|------------------|-----------:|---------:|----------:|----------:|---------:|------------:|----------:"
                + "|-------:|");
        for (String kind : order) {
            List<double[]> t = trials.get(kind);
            if (t == null) {
                continue;
            }
            double ratio = ratio(trials, kind, "netty-raw");
            double bytes = t.get(0)[6];
            say(String.format(Locale.ROOT, "| %-16s | %10.0f | %8.2f | %9.1f | %9.1f | %8s | %11.2f | %9s | %6.0f |",
                    kind, median(t, 0), median(t, 1), median(t, 2), median(t, 3),
                    ratio < 0 ? "-" : String.format(Locale.ROOT, "%.3f", ratio), t.get(0)[5],
                    bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", bytes), sum(t, 4)));
        }
        String[][] pairs = {{"streams-async", "netty-line-bytes"}, {"streams-buf", "netty-line"},
                {"streams-bytes", "netty-raw"}, {"streams-blocking", "jdk-vt"},
                {"streams-blocking", "streams-async"}, {"streams-blocking", "streams-blocking-vt"},
                {"streams-blocking-vt", "jdk-vt"},
                {"streams-async", "py-uvloop"}, {"streams-blocking", "py-uvloop"}, {"streams-async", "py-asyncio"},
                {"streams-blocking", "py-asyncio"}};
        for (String[] pair : pairs) {
            double ratio = ratio(trials, pair[0], pair[1]);
            if (ratio >= 0) {
                say(String.format(Locale.ROOT, "%s ÷ %s (median of per-round ratios): %.3f", pair[0], pair[1],
                        ratio));
            }
        }
    }

    /** The median over the rounds of req/s of {@code kind} ÷ req/s of {@code base} in the same round; -1 if none. */
    private static double ratio(Map<String, List<double[]>> trials, String kind, String base) {
        List<double[]> t = trials.get(kind);
        List<double[]> b = trials.get(base);
        if (t == null || b == null) {
            return -1;
        }
        List<Double> ratios = new ArrayList<>();
        for (double[] trial : t) {
            for (double[] other : b) {
                if (other[7] == trial[7] && other[0] > 0) {
                    ratios.add(trial[0] / other[0]);
                }
            }
        }
        return ratios.isEmpty() ? -1 : median(ratios);
    }

    private static double median(List<double[]> trials, int column) {
        List<Double> values = new ArrayList<>();
        for (double[] t : trials) {
            values.add(t[column]);
        }
        return median(values);
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double sum(List<double[]> trials, int column) {
        double sum = 0;
        for (double[] t : trials) {
            sum += t[column];
        }
        return sum;
    }

    // ------------------------------------------------------------------------------------------------ idle

    /** heap, direct, rss (bytes, after minus before) and the connection count; heap/direct -1 for Python. */
    private long[] idle(String kind) throws Exception {
        say("");
        say("## idle: " + kind + " with " + idle + " idle connections");
        Server server = startServer(kind);
        try {
            long[] before = server.memory();
            List<String> cmd = new ArrayList<>(List.of(clientJava, "-Xmx1g",
                    "-Dio.netty.leakDetection.level=disabled"));
            cmd.addAll(jvmFlags(clientJava));
            cmd.addAll(List.of("-cp", jar, LoadClient.class.getName(), "--idle", "" + idle, "--target",
                    kind + "=" + server.port, "--threads", "" + clientThreads));
            Process client = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader out = reader(client);
                 Writer in = new OutputStreamWriter(client.getOutputStream(), StandardCharsets.UTF_8)) {
                String line = out.readLine();
                if (line == null || !line.startsWith("IDLE_READY ")) {
                    throw new IOException("idle client said: " + line);
                }
                int conns = Integer.parseInt(line.substring("IDLE_READY ".length()).trim());
                Thread.sleep(500); // let the server finish accepting and set every connection up
                long[] after = server.memory();
                in.write("CLOSE\n");
                in.flush();
                client.waitFor(10, TimeUnit.SECONDS);
                long[] delta = {after[0] - before[0], after[1] - before[1], after[2] - before[2], conns};
                say(String.format(Locale.ROOT, "IDLE kind=%s conns=%d heap=%d direct=%d rss=%d", kind, conns,
                        delta[0], delta[1], delta[2]));
                if (before[0] < 0) {
                    delta[0] = -1;
                    delta[1] = -1;
                }
                return delta;
            } finally {
                client.destroy();
            }
        } finally {
            server.stop();
        }
    }

    private void printIdle(Map<String, long[]> memory) {
        say("");
        say("### idle connections: memory per connection after GC (server side, after minus before)");
        say(String.format(Locale.ROOT, "| %-16s | %6s | %10s | %12s | %10s | %9s |", "server", "conns", "heap B",
                "direct B", "RSS B", "heap × raw"));
        say("|------------------|-------:|-----------:|-------------:|-----------:|----------:|");
        long[] raw = memory.get("netty-raw");
        double rawHeap = raw != null && raw[3] > 0 ? (double) raw[0] / raw[3] : 0;
        for (Map.Entry<String, long[]> e : memory.entrySet()) {
            long[] m = e.getValue();
            double n = Math.max(1, m[3]);
            String heapPer = m[0] < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", m[0] / n);
            String directPer = m[1] < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", m[1] / n);
            String ratio = m[0] < 0 || rawHeap <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", m[0] / n / rawHeap);
            say(String.format(Locale.ROOT, "| %-16s | %6d | %10s | %12s | %10.0f | %9s |", e.getKey(), m[3], heapPer,
                    directPer, m[2] / n, ratio));
        }
    }

    // ------------------------------------------------------------------------------------------------ servers

    /** A server process. */
    private final class Server {
        final String kind;
        final Process process;
        final BufferedReader out;
        final Writer in;
        final int port;

        Server(String kind, Process process) throws IOException {
            this.kind = kind;
            this.process = process;
            this.out = reader(process);
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            String line = out.readLine();
            if (line == null || !line.startsWith("PORT ")) {
                process.destroyForcibly();
                throw new IOException(kind + " server did not start: " + line);
            }
            this.port = Integer.parseInt(line.substring(5).trim());
        }

        /** heap, direct, rss; heap and direct are -1 for non-Java servers. */
        long[] memory() throws IOException {
            long heap = -1;
            long direct = -1;
            if (!kind.startsWith("py-")) {
                in.write("MEM\n");
                in.flush();
                String line = out.readLine();
                Matcher m = Pattern.compile("MEM heap=(\\d+) direct=(\\d+)").matcher(String.valueOf(line));
                if (!m.find()) {
                    throw new IOException(kind + " server answered MEM with: " + line);
                }
                heap = Long.parseLong(m.group(1));
                direct = Long.parseLong(m.group(2));
            }
            return new long[] {heap, direct, rss(process.pid())};
        }

        /** CPU time of the process (ns, from /proc) and heap bytes allocated so far (-1 when not a JVM). */
        long[] usage() throws IOException {
            long allocated = -1;
            if (!kind.startsWith("py-")) {
                in.write("ALLOC\n");
                in.flush();
                String line = String.valueOf(out.readLine());
                Matcher m = Pattern.compile("ALLOC bytes=(-?\\d+)").matcher(line);
                if (!m.find()) {
                    throw new IOException(kind + " server answered ALLOC with: " + line);
                }
                allocated = Long.parseLong(m.group(1));
            }
            return new long[] {cpuNanos(process.pid()), allocated};
        }

        void stop() {
            try {
                in.write("QUIT\n");
                in.flush();
                in.close();
            } catch (IOException ignored) {
                // already gone
            }
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Server startServer(String kind) throws IOException {
        List<String> cmd;
        if (kind.equals("py-asyncio") || kind.equals("py-uvloop")) {
            cmd = new ArrayList<>(List.of(python, pythonScript));
            if (kind.equals("py-uvloop")) {
                cmd.add("--uvloop");
            }
        } else {
            cmd = new ArrayList<>(List.of(serverJava, "-Xmx" + heap, "-Dio.netty.leakDetection.level=disabled"));
            cmd.addAll(jvmFlags(serverJava));
            cmd.addAll(List.of("-cp", jar, EchoServer.class.getName(), kind, "--threads", "" + serverThreads));
        }
        Process process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new Server(kind, process);
    }

    private static BufferedReader reader(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------------------------------------ misc

    /** utime + stime of a process, in ns (clock ticks of 10 ms; USER_HZ is 100 on Linux). */
    private static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * {@code --enable-native-access=ALL-UNNAMED} for a JDK 22+ (Netty's epoll loads a native library), and
     * {@code --add-opens java.base/java.lang=ALL-UNNAMED} for a JDK 21+ (blocking handlers carried by their event
     * loop, {@code BlockingScheduler.EVENT_LOOP}).
     */
    private static List<String> jvmFlags(String java) {
        Matcher m = Pattern.compile("version \"(\\d+)").matcher(javaVersion(java));
        int feature = m.find() ? Integer.parseInt(m.group(1)) : 0;
        List<String> flags = new ArrayList<>();
        if (feature >= 22) {
            flags.add("--enable-native-access=ALL-UNNAMED");
        }
        if (feature >= 21) {
            flags.add("--add-opens");
            flags.add("java.base/java.lang=ALL-UNNAMED");
        }
        return flags;
    }

    private static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private static boolean works(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String javaVersion(String java) {
        return javaVersionLine(java, "-version");
    }

    private static String javaVersionLine(String exe, String flag) {
        try {
            Process p = new ProcessBuilder(exe, flag).redirectErrorStream(true).start();
            List<String> lines = new ArrayList<>();
            try (BufferedReader r = reader(p)) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            }
            p.waitFor();
            return lines.isEmpty() ? "?" : String.join(" / ", lines.subList(0, Math.min(2, lines.size())));
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private static String machine() {
        String cpu = "?";
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        long memory = 0;
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memory = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024 / 1024;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), " + memory + " GiB, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    private static String javaLauncher() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String ownJar() {
        try {
            return new File(Harness.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        } catch (Exception e) {
            return System.getProperty("java.class.path");
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

}
