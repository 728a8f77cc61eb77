package org.e2echat.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code idle}: N WebSockets held open on the baseline, then on the gateway (tokens minted with
 * the bench key); resident memory per connection from /proc (after minus before), and whether
 * every connection held up to the process's open-files ceiling. With {@code --heap-histogram}, the
 * heap's committed and used size while held and two class histograms of live objects (with the
 * connections, and again after they closed) say how much of that memory each connection keeps
 * alive and in which classes (and, for a JVM run with native memory tracking, what grew outside
 * the heap: {@code nmt-<server>.txt}); with {@code --hold-seconds} the connections stay open that much
 * longer, for a look from outside (jcmd, NMT).
 */
public final class IdleScenario {

    private IdleScenario() {
    }

    public static Section run(Bench.Options o, BenchStack stack, Baseline baseline, Vertx vertx, Watchdog watchdog,
            Path dir) throws InterruptedException, IOException {
        Section s = new Section("idle");
        int n = o.connections();
        Map<String, Object> base = hold("baseline", baseline.pid(), baseline.port(), n, vertx, watchdog, o, dir,
                i -> new WebSocketConnectOptions().addHeader(BareBroadcastServer.USER_HEADER, "idle-" + i));
        String[] users = new String[n];
        for (int i = 0; i < n; i++) {
            users[i] = UUID.randomUUID().toString();
        }
        long gw = stack.pid("gateway");
        Map<String, Object> gateway = hold("gateway", gw, stack.port("gateway"), n, vertx, watchdog, o, dir,
                i -> new WebSocketConnectOptions().addSubProtocol("chat.v1").addHeader("Authorization",
                        "Bearer " + stack.token(users[i], "idle" + i, Duration.ofHours(3))));
        s.data.put("connections", n);
        s.data.put("baseline", base);
        s.data.put("gateway", gateway);
        double b = (double) base.get("rssPerConnectionKb");
        double g = (double) gateway.get("rssPerConnectionKb");
        s.data.put("rssPerConnectionRatio", g / b);
        s.md("### idle: %d WebSockets held open", n).md("");
        s.row("", "bare Vert.x (1 event loop)", "gateway", "ratio").row("---", "---", "---", "---");
        s.row("RSS per idle connection", Section.f1(b) + " KB", Section.f1(g) + " KB", Section.ratio(g, b));
        s.row("connections held", base.get("held") + "/" + n, gateway.get("held") + "/" + n, "");
        s.row("RSS before → with connections", mb(base, "rssBefore") + " → " + mb(base, "rssHeld"),
                mb(gateway, "rssBefore") + " → " + mb(gateway, "rssHeld"), "");
        s.row("open files / limit", base.get("fds") + " / " + base.get("fdLimit"),
                gateway.get("fds") + " / " + gateway.get("fdLimit"), "");
        if (o.heapHistogram()) {
            s.row("heap committed / used while held", mb(base, "heapCommitted") + " / " + mb(base, "heapUsed"),
                    mb(gateway, "heapCommitted") + " / " + mb(gateway, "heapUsed"), "");
            double bl = (double) base.get("liveHeapPerConnectionKb");
            double gl = (double) gateway.get("liveHeapPerConnectionKb");
            s.row("live heap per connection (after a full GC)", Section.f1(bl) + " KB", Section.f1(gl) + " KB",
                    Section.ratio(gl, bl));
            s.md("").md("What the gateway keeps alive per connection (live objects, held minus after close):").md("");
            s.row("class", "bytes per connection", "instances per connection").row("---", "---", "---");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> top = (List<Map<String, Object>>) gateway.get("liveByClass");
            for (Map<String, Object> r : top) {
                s.row("`" + r.get("class") + "`", Section.f1((double) r.get("bytesPerConnection")),
                        Section.f1((double) r.get("instancesPerConnection")));
            }
        }
        s.md("");
        for (var e : Map.of("baseline", base, "gateway", gateway).entrySet()) {
            long held = (long) (int) e.getValue().get("held");
            if (held < n) {
                s.problems.add(e.getKey() + " held " + held + " of " + n + " connections");
            }
        }
        return s;
    }

    private static String mb(Map<String, Object> m, String key) {
        return Section.f1((long) m.get(key) / 1024.0 / 1024.0) + " MB";
    }

    private static Map<String, Object> hold(String label, long pid, int port, int n, Vertx vertx, Watchdog watchdog,
            Bench.Options o, Path dir, java.util.function.IntFunction<WebSocketConnectOptions> options)
            throws InterruptedException, IOException {
        watchdog.sleep(1000);
        long before = ProcStats.rssBytes(pid);
        if (o.heapHistogram()) {
            // a JVM started with -XX:NativeMemoryTracking=summary then reports what grew, by area
            HeapHistogram.jcmd(pid, dir.resolve("nmt-" + label + ".txt"), "VM.native_memory", "baseline");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        try (Sockets sockets = Sockets.open(vertx, "idle " + label, port, n, 64, options, watchdog)) {
            watchdog.sleep(o.settleMillis());
            long held = ProcStats.rssBytes(pid);
            int alive = sockets.connected() - (int) sockets.unexpectedCloses();
            m.put("held", alive);
            m.put("failed", sockets.failed());
            m.put("closedByServer", sockets.unexpectedCloses());
            m.put("rssBefore", before);
            m.put("rssHeld", held);
            m.put("rssPerConnectionKb", alive == 0 ? Double.NaN : (held - before) / 1024.0 / alive);
            m.put("fds", ProcStats.fds(pid));
            m.put("fdLimit", ProcStats.openFilesLimit(pid));
            System.out.printf("[idle %s] %d held, RSS %.1f → %.1f MB: %.1f KB per connection%n", label, alive,
                    before / 1048576.0, held / 1048576.0, (double) m.get("rssPerConnectionKb"));
            if (o.holdSeconds() > 0) {
                System.out.printf("[idle %s] holding them %d s more (pid %d)%n", label, o.holdSeconds(), pid);
                watchdog.sleep(o.holdSeconds() * 1000L);
            }
            if (o.heapHistogram()) {
                HeapHistogram.jcmd(pid, dir.resolve("nmt-" + label + ".txt"), "VM.native_memory", "summary.diff");
                long[] heap = HeapHistogram.heapCommittedAndUsed(pid);
                m.put("heapCommitted", heap[0]);
                m.put("heapUsed", heap[1]);
                m.put("histogramHeld", HeapHistogram.take(pid, dir.resolve("histogram-" + label + "-held.txt")));
                m.put("rssAfterFullGc", ProcStats.rssBytes(pid));
            }
        }
        if (o.heapHistogram()) {
            watchdog.sleep(o.settleMillis());
            HeapHistogram empty = HeapHistogram.take(pid, dir.resolve("histogram-" + label + "-closed.txt"));
            HeapHistogram withConnections = (HeapHistogram) m.remove("histogramHeld");
            int alive = (int) m.get("held");
            m.put("liveHeapHeld", withConnections.totalBytes());
            m.put("liveHeapClosed", empty.totalBytes());
            m.put("liveHeapPerConnectionKb", (withConnections.totalBytes() - empty.totalBytes()) / 1024.0 / alive);
            m.put("liveByClass", withConnections.perConnection(empty, alive, 15));
            System.out.printf("[idle %s] live heap %.1f → %.1f MB after close: %.1f KB per connection%n", label,
                    withConnections.totalBytes() / 1048576.0, empty.totalBytes() / 1048576.0,
                    (double) m.get("liveHeapPerConnectionKb"));
        }
        return m;
    }
}
