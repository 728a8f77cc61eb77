package org.e2echat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The live objects of a JVM by class, as {@code jcmd PID GC.class_histogram} reports them after the
 * full collection it runs first. Two of them, with and without N connections, say what the server
 * keeps per connection (bytes and instances by class), apart from garbage and heap sizing.
 */
public record HeapHistogram(Map<String, long[]> byClass, long totalBytes) {

    /** Takes the histogram of {@code pid} (a full GC first) and keeps jcmd's text in {@code file}. */
    public static HeapHistogram take(long pid, Path file) throws IOException, InterruptedException {
        jcmd(pid, file, "GC.class_histogram");
        return parse(Files.readAllLines(file));
    }

    /**
     * Runs {@code jcmd PID command...} and keeps its output in {@code file}; e.g. the native memory
     * summary ({@code VM.native_memory summary.diff}) of a JVM started with native memory tracking.
     */
    public static void jcmd(long pid, Path file, String... command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> args = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        args.addAll(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(file.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + String.join(" ", command) + " did not finish for " + pid);
        }
    }

    /**
     * The heap's committed and used bytes now (used includes garbage not yet collected), from
     * {@code jcmd PID GC.heap_info}; {-1, -1} when it cannot be read.
     */
    public static long[] heapCommittedAndUsed(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info").redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(1, TimeUnit.MINUTES);
        var m = java.util.regex.Pattern.compile("heap\\s+total (\\d+)K, used (\\d+)K").matcher(out);
        return m.find() ? new long[] {Long.parseLong(m.group(1)) * 1024, Long.parseLong(m.group(2)) * 1024}
                : new long[] {-1, -1};
    }

    static HeapHistogram parse(List<String> lines) {
        Map<String, long[]> byClass = new HashMap<>();
        long total = 0;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                byClass.merge(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            } else if (f.length == 3 && f[0].equals("Total")) {
                total = Long.parseLong(f[2]);
            }
        }
        return new HeapHistogram(byClass, total);
    }

    /**
     * What {@code this} (with {@code n} connections) holds beyond {@code empty}, per connection: the
     * {@code top} classes by bytes, each with bytes and instances per connection.
     */
    public List<Map<String, Object>> perConnection(HeapHistogram empty, int n, int top) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (var e : byClass.entrySet()) {
            long[] before = empty.byClass.getOrDefault(e.getKey(), new long[2]);
            long bytes = e.getValue()[1] - before[1];
            long instances = e.getValue()[0] - before[0];
            if (bytes > 0) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("class", e.getKey());
                row.put("bytesPerConnection", (double) bytes / n);
                row.put("instancesPerConnection", (double) instances / n);
                rows.add(row);
            }
        }
        rows.sort(Comparator.comparingDouble((Map<String, Object> r) -> (double) r.get("bytesPerConnection")).reversed());
        return rows.subList(0, Math.min(top, rows.size()));
    }
}
