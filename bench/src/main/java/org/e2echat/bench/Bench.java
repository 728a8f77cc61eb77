package org.e2echat.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's one command: {@code deploy/local/bench.sh idle|fanout|e2e|all [options]}.
 * Starts the packaged local stack (with the bench's signing key) and the bare Vert.x baseline,
 * runs the scenarios with progress on the terminal, and writes {@code report.json},
 * {@code report.md} and SVG plots into a new directory under {@code target/bench/}. Exit code 0:
 * nothing lost, duplicated or misrouted; 1: the report lists what was; 2: bad options; 3: the
 * watchdog ended the run.
 */
public final class Bench {

    static final String USAGE = """
            usage: deploy/local/bench.sh idle|fanout|e2e|all [options]
              --smoke               a short run of each scenario (what CI runs; about 20 s of load each)
              --connections N       idle: connections to hold on each server (default 10000)
              --heap-histogram      idle: heap size and live objects by class (jcmd) with the connections and after they close
              --hold-seconds S      idle: keep the connections open S s longer after measuring (to look with jcmd; default 0)
              --rooms N             fanout: rooms of 10 connected users (default 100)
              --rates R1,R2,...     fanout: messages/s per step (default 200,500,1000,2000,4000,8000)
              --e2e-rooms N         e2e: groups of 10 registered users (default 100)
              --e2e-rates R1,...    e2e: messages/s per step (default 10,25,50,100,200,400,700,1000)
              --history N1,N2,...   e2e: after the rate steps, the first rate again with the store holding N1, N2, ...
                                    messages (written straight into it), to show whether CPU per message grows with
                                    history (default 1000,100000; smoke 500,2000; an empty list skips it)
              --step-seconds S      length of each step (default 15)
              --warmup-seconds S    load before the measured steps, not reported: the JIT compiles the hot path first (default 20)
              --drain-seconds S     how long a step waits for late deliveries before counting them lost (default 5)
              --payload-bytes N     fanout: ciphertext size (default 256)
              --data-dir DIR        e2e: file-backed store in DIR/store and the registered users in DIR, reused next time
              --profile             record a JFR profile of every service into the report directory
              --max-minutes M       the watchdog ends the run after M minutes (default 60)
              --out DIR             where reports go (default target/bench)
            """;

    /** What to run and how hard. */
    public record Options(List<String> scenarios, boolean smoke, int connections, int rooms, double[] fanoutRates,
            int e2eRooms, double[] e2eRates, double stepSeconds, int drainSeconds, int payloadBytes, Path dataDir,
            boolean profile, int maxMinutes, Path out, long settleMillis, double warmupSeconds, long[] history,
            boolean heapHistogram, int holdSeconds) {

        static Options parse(String[] args, Path root) {
            if (args.length == 0) {
                throw new IllegalArgumentException("name a scenario: idle, fanout, e2e or all");
            }
            List<String> scenarios = args[0].equals("all") ? List.of("idle", "fanout", "e2e") : List.of(args[0]);
            if (!List.of("idle", "fanout", "e2e").containsAll(scenarios)) {
                throw new IllegalArgumentException("unknown scenario " + args[0]);
            }
            boolean smoke = Arrays.asList(args).contains("--smoke");
            Options o = smoke
                    ? new Options(scenarios, true, 300, 10, new double[] {200}, 2, new double[] {10}, 15, 5, 256, null,
                            false, 10, root.resolve("target/bench"), 2000, 3, new long[] {500, 2000}, false, 0)
                    : new Options(scenarios, false, 10_000, 100, new double[] {200, 500, 1000, 2000, 4000, 8000}, 100,
                            new double[] {10, 25, 50, 100, 200, 400, 700, 1000}, 15, 5, 256, null, false, 60,
                            root.resolve("target/bench"), 5000, 20, new long[] {1_000, 100_000}, false, 0);
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--smoke" -> { }
                    case "--profile" -> o = o.with(m -> m.put("profile", true));
                    case "--heap-histogram" -> o = o.with(m -> m.put("heapHistogram", true));
                    case "--hold-seconds" -> { int v = Integer.parseInt(value(args, ++i, a)); o = o.with(m -> m.put("holdSeconds", v)); }
                    case "--connections" -> { int v = Integer.parseInt(value(args, ++i, a)); o = o.with(m -> m.put("connections", v)); }
                    case "--rooms" -> { int v = Integer.parseInt(value(args, ++i, a)); o = o.with(m -> m.put("rooms", v)); }
                    case "--e2e-rooms" -> { int v = Integer.parseInt(value(args, ++i, a)); o = o.with(m -> m.put("e2eRooms", v)); }
                    case "--rates" -> { double[] v = rates(value(args, ++i, a)); o = o.with(m -> m.put("fanoutRates", v)); }
                    case "--history" -> { long[] v = Arrays.stream(value(args, ++i, a).split(",")).filter(x -> !x.isBlank())
                            .mapToLong(Long::parseLong).toArray(); o = o.with(m -> m.put("history", v)); }
                    case "--e2e-rates" -> { double[] v = rates(value(args, ++i, a)); o = o.with(m -> m.put("e2eRates", v)); }
                    case "--step-seconds" -> { double v = Double.parseDouble(value(args, ++i, a)); o = o.with(m -> m.put("stepSeconds", v)); }
                    case "--drain-seconds" -> { int v = Integer.parseInt(value(args, ++i, a)); o = o.with(m -> m.put("drainSeconds", v)); }
                    case "--payload-bytes" -> { int v = Integer.parseInt(value(args, ++i, a)); o = o.with(m -> m.put("payloadBytes", v)); }
                    case "--warmup-seconds" -> { double v = Double.parseDouble(value(args, ++i, a)); o = o.with(m -> m.put("warmupSeconds", v)); }
                    case "--max-minutes" -> { int v = Integer.parseInt(value(args, ++i, a)); o = o.with(m -> m.put("maxMinutes", v)); }
                    case "--data-dir" -> { Path v = Path.of(value(args, ++i, a)).toAbsolutePath(); o = o.with(m -> m.put("dataDir", v)); }
                    case "--out" -> { Path v = Path.of(value(args, ++i, a)).toAbsolutePath(); o = o.with(m -> m.put("out", v)); }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            return o;
        }

        Options withDrainSeconds(int seconds) {
            return with(m -> m.put("drainSeconds", seconds));
        }

        /** The same options with steps of {@code seconds} (a warm-up). */
        Options withStepSeconds(double seconds) {
            return with(m -> m.put("stepSeconds", seconds));
        }

        private Options with(java.util.function.Consumer<Map<String, Object>> change) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("connections", connections);
            m.put("rooms", rooms);
            m.put("fanoutRates", fanoutRates);
            m.put("e2eRooms", e2eRooms);
            m.put("e2eRates", e2eRates);
            m.put("stepSeconds", stepSeconds);
            m.put("drainSeconds", drainSeconds);
            m.put("payloadBytes", payloadBytes);
            m.put("dataDir", dataDir);
            m.put("profile", profile);
            m.put("maxMinutes", maxMinutes);
            m.put("out", out);
            m.put("warmupSeconds", warmupSeconds);
            m.put("history", history);
            m.put("heapHistogram", heapHistogram);
            m.put("holdSeconds", holdSeconds);
            change.accept(m);
            return new Options(scenarios, smoke, (int) m.get("connections"), (int) m.get("rooms"),
                    (double[]) m.get("fanoutRates"), (int) m.get("e2eRooms"), (double[]) m.get("e2eRates"),
                    (double) m.get("stepSeconds"), (int) m.get("drainSeconds"), (int) m.get("payloadBytes"),
                    (Path) m.get("dataDir"), (boolean) m.get("profile"), (int) m.get("maxMinutes"), (Path) m.get("out"),
                    settleMillis, (double) m.get("warmupSeconds"), (long[]) m.get("history"),
                    (boolean) m.get("heapHistogram"), (int) m.get("holdSeconds"));
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static double[] rates(String list) {
            return Arrays.stream(list.split(",")).mapToDouble(Double::parseDouble).toArray();
        }
    }

    /** Where a run's report went and whether it was clean. */
    public record Outcome(Path reportDir, List<String> problems, boolean watchdogExpired) {
        public int exitCode() {
            return watchdogExpired ? 3 : problems.isEmpty() ? 0 : 1;
        }
    }

    private Bench() {
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("e2echat.root", ".")).toAbsolutePath().normalize();
        if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"))) {
            System.out.println(USAGE);
            return;
        }
        Options o;
        try {
            o = Options.parse(args, root);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Outcome outcome;
        try {
            outcome = run(o, root, System.out);
        } catch (Exception e) {
            System.err.println("[bench] failed: " + e);
            System.exit(1);
            return;
        }
        System.exit(outcome.exitCode());
    }

    /** Runs the scenarios of {@code o} against the stack under {@code root}; always writes a report. */
    public static Outcome run(Options o, Path root, PrintStream out) throws Exception {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path dir = o.out().resolve(stamp + "-" + String.join("-", o.scenarios()) + (o.smoke() ? "-smoke" : ""));
        Files.createDirectories(dir);
        Watchdog watchdog = new Watchdog(Duration.ofMinutes(o.maxMinutes()));
        List<Section> sections = new ArrayList<>();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("started", Instant.now().toString());
        meta.put("machine", ProcStats.machine());
        meta.put("loadAverageAtStart", ProcStats.loadAverage());
        meta.put("scenarios", o.scenarios());
        meta.put("smoke", o.smoke());
        boolean expired = false;
        out.printf("[bench] %s; load average %.2f; report in %s%n", meta.get("machine"), ProcStats.loadAverage(), dir);
        if (o.profile()) {
            // JFR writes one file per process into an existing directory (a missing path would become one file)
            Files.createDirectories(dir.resolve("jfr"));
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try (BenchStack stack = BenchStack.start(root, dir.resolve("logs"),
                o.dataDir() == null ? null : o.dataDir().resolve("store"), o.profile() ? dir.resolve("jfr") : null, out);
                Baseline baseline = Baseline.start(gatewayHeap(), dir.resolve("baseline.log"))) {
            for (String scenario : o.scenarios()) {
                out.printf("[bench] scenario %s%n", scenario);
                try {
                    sections.add(switch (scenario) {
                        case "idle" -> IdleScenario.run(o, stack, baseline, vertx, watchdog, dir);
                        case "fanout" -> FanoutScenario.run(o, stack, baseline, vertx, watchdog);
                        default -> E2eScenario.run(o, stack, vertx, watchdog);
                    });
                } catch (Watchdog.Expired e) {
                    out.println("[bench] " + e.getMessage());
                    Section s = new Section(scenario);
                    s.problems.add(e.getMessage());
                    sections.add(s);
                    expired = true;
                    break;
                }
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        meta.put("finished", Instant.now().toString());
        meta.put("loadAverageAtEnd", ProcStats.loadAverage());
        List<String> problems = write(dir, meta, sections);
        out.printf("[bench] report: %s%n", dir.resolve("report.md"));
        problems.forEach(p -> out.println("[bench] PROBLEM: " + p));
        return new Outcome(dir, problems, expired);
    }

    private static String gatewayHeap() {
        return org.e2echat.infra.stack.ServiceSpec.ALL.stream().filter(s -> s.name().equals("gateway")).findFirst()
                .orElseThrow().heap();
    }

    private static List<String> write(Path dir, Map<String, Object> meta, List<Section> sections) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>(meta);
        Map<String, Object> scenarios = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        StringBuilder md = new StringBuilder("# e2echat benchmark report\n\n");
        md.append("- machine: ").append(meta.get("machine")).append('\n');
        md.append("- started ").append(meta.get("started")).append(", finished ").append(meta.get("finished")).append('\n');
        md.append("- load average at start / end: ").append(meta.get("loadAverageAtStart")).append(" / ")
                .append(meta.get("loadAverageAtEnd")).append(" (other work on the machine competes with every figure;")
                .append(" compare the ratios, which come from the same invocation)\n\n");
        for (Section s : sections) {
            Map<String, Object> data = new LinkedHashMap<>(s.data);
            data.put("problems", s.problems);
            scenarios.put(s.name, data);
            problems.addAll(s.problems);
            md.append(s.markdown);
            for (var plot : s.plots.entrySet()) {
                Files.writeString(dir.resolve(plot.getKey()), plot.getValue());
                md.append("![").append(plot.getKey()).append("](").append(plot.getKey()).append(")\n\n");
            }
        }
        report.put("scenarios", scenarios);
        report.put("clean", problems.isEmpty());
        md.append(problems.isEmpty() ? "**Nothing lost, duplicated, misrouted or refused.**\n"
                : "**Problems:**\n\n" + String.join("\n", problems.stream().map(p -> "- " + p).toList()) + "\n");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), report);
        Files.writeString(dir.resolve("report.md"), md);
        return problems;
    }
}
