package org.e2echat.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * {@code idle}: N WebSockets held open on the baseline, then on the gateway (tokens minted with
 * the bench key); resident memory per connection from /proc (after minus before), and whether
 * every connection held up to the process's open-files ceiling.
 */
public final class IdleScenario {

    private IdleScenario() {
    }

    public static Section run(Bench.Options o, BenchStack stack, Baseline baseline, Vertx vertx, Watchdog watchdog)
            throws InterruptedException {
        Section s = new Section("idle");
        int n = o.connections();
        Map<String, Object> base = hold("baseline", baseline.pid(), baseline.port(), n, vertx, watchdog, o,
                i -> new WebSocketConnectOptions().addHeader(BareBroadcastServer.USER_HEADER, "idle-" + i));
        String[] users = new String[n];
        for (int i = 0; i < n; i++) {
            users[i] = UUID.randomUUID().toString();
        }
        long gw = stack.pid("gateway");
        Map<String, Object> gateway = hold("gateway", gw, stack.port("gateway"), n, vertx, watchdog, o,
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
            Bench.Options o, java.util.function.IntFunction<WebSocketConnectOptions> options) throws InterruptedException {
        watchdog.sleep(1000);
        long before = ProcStats.rssBytes(pid);
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
        }
        return m;
    }
}
