package org.e2echat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.e2echat.testsupport.Chat;
import org.e2echat.testsupport.TestIdentity;
import org.e2echat.testsupport.TestUser;

/**
 * {@code e2e}: the whole pipeline. Real users registered on user-service, in groups of 10 created
 * on session-service; every user holds a socket to the gateway. Messages go out at rate R (open
 * loop), half as {@code send} frames on the sender's socket, half as REST sends to message-service,
 * and every member's socket measures send → {@code message} frame. Steps up the rate until p99
 * passes 50 ms or anything is lost; CPU per message for each process names the bottleneck.
 */
public final class E2eScenario {

    private static final int ROOM = FanoutScenario.ROOM;
    private static final double P99_LIMIT_MS = 50;
    private static final String PASSWORD = "bench password, not a secret";
    private static final Duration TOKEN_LIFETIME = Duration.ofHours(3);
    /** The stack counts as settled below this many cores in all, or when two windows differ by less than: */
    private static final double IDLE_CORES = 0.3;
    private static final double SETTLED_DELTA = 0.05;

    private E2eScenario() {
    }

    /** A registered bench user and the group (room) it belongs to. */
    record Member(String id, String username, int room) {
    }

    /** The population: users in rooms of 10, each room a group session. */
    record Population(List<Member> users, List<String> sessions) {
    }

    /** One pass of sending: a rate for some seconds; with {@code history} ≥ 0, at that many stored messages. */
    private record Plan(double rate, double seconds, boolean warmup, long history) {
    }

    record Step(double rate, Tracker.Result result, long storedBefore, Map<String, Double> cpuMsPerMessage,
            Map<String, Double> cores, double machineLoad, boolean history) {

        /** CPU per message above what the process spends with no messages at all (polling, timers, GC). */
        double marginalMs(String process, Map<String, Double> idleCores) {
            double extra = cores.get(process) - idleCores.getOrDefault(process, 0.0);
            return Math.max(0, extra) * 1000 / rate;
        }
    }

    /**
     * Cores each process uses with the users connected and nothing sent, over {@code seconds}, once
     * the stack has settled: the setup leaves work behind (every registration and session travels
     * through the topics to the projections, the JIT keeps compiling), and counting that as idle
     * would understate every later step's CPU per message.
     */
    private static Map<String, Double> idleCores(BenchStack stack, double seconds, double settleSeconds,
            Watchdog watchdog) throws InterruptedException {
        Map<String, Long> pids = stack.pids();
        pids.put("bench", ProcessHandle.current().pid());
        long settleUntil = System.nanoTime() + (long) (settleSeconds * 1e9);
        double previous = Double.MAX_VALUE;
        while (System.nanoTime() < settleUntil) {
            double total = cores(pids, 2, watchdog).values().stream().mapToDouble(Double::doubleValue).sum();
            System.out.printf("[e2e] settling after setup: %.2f cores in use%n", total);
            if (total < IDLE_CORES || Math.abs(total - previous) < SETTLED_DELTA) {
                break;
            }
            previous = total;
        }
        Map<String, Double> cores = cores(pids, seconds, watchdog);
        System.out.printf("[e2e] idle (connected, nothing sent): cores %s%n", fmt(cores));
        return cores;
    }

    /** Cores each process used over the next {@code seconds}. */
    private static Map<String, Double> cores(Map<String, Long> pids, double seconds, Watchdog watchdog)
            throws InterruptedException {
        Map<String, ProcStats.Sample> before = new LinkedHashMap<>();
        pids.forEach((n, pid) -> before.put(n, ProcStats.sample(pid)));
        watchdog.sleep((long) (seconds * 1000));
        Map<String, Double> cores = new LinkedHashMap<>();
        pids.forEach((n, pid) -> cores.put(n, ProcStats.sample(pid).coresSince(before.get(n))));
        return cores;
    }

    public static Section run(Bench.Options o, BenchStack stack, Vertx vertx, Watchdog watchdog) throws Exception {
        Section s = new Section("e2e");
        ObjectMapper json = new ObjectMapper();
        Population pop = population(o, stack, json, watchdog);
        int users = pop.users.size();
        String[] tokens = new String[users];
        for (int i = 0; i < users; i++) {
            tokens[i] = stack.token(pop.users.get(i).id, pop.users.get(i).username, TOKEN_LIFETIME);
        }
        List<Step> steps = new ArrayList<>();
        Map<String, Double> idle = new LinkedHashMap<>();
        long stored = 0;
        HttpClient rest = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(32).setKeepAlive(true));
        int messagePort = stack.port("message-service");
        try (Sockets sockets = Sockets.open(vertx, "e2e", stack.port("gateway"), users, 32,
                i -> new WebSocketConnectOptions().addSubProtocol("chat.v1").addHeader("Authorization",
                        "Bearer " + tokens[i]), watchdog)) {
            watchdog.sleep(1000);
            idle.putAll(idleCores(stack, o.smoke() ? 3 : 10, o.smoke() ? 6 : 60, watchdog));
            // the first pass is the warm-up: the first rate for --warmup-seconds, not reported; then
            // the rate steps; then, with --history, the first rate again at each store size
            List<Plan> plans = new ArrayList<>();
            plans.add(new Plan(o.e2eRates()[0], o.warmupSeconds(), true, -1));
            for (double r : o.e2eRates()) {
                plans.add(new Plan(r, o.stepSeconds(), false, -1));
            }
            for (long n : o.history()) {
                plans.add(new Plan(o.e2eRates()[0], o.stepSeconds(), false, n));
            }
            boolean ratesDone = false;
            for (Plan plan : plans) {
                boolean warmup = plan.warmup;
                double rate = plan.rate;
                double seconds = plan.seconds;
                if (seconds <= 0 || (ratesDone && plan.history < 0)) {
                    continue;
                }
                if (plan.history >= 0) {
                    long present = History.stored(stack.mongoUrl());
                    System.out.printf("[e2e history] %d messages stored; bringing the store to %d%n", present,
                            plan.history);
                    History.add(stack.mongoUrl(), pop.sessions, rooms(pop), plan.history - present, watchdog);
                    stored = Math.max(present, plan.history);
                }
                Tracker t = new Tracker(ROOM);
                sockets.track(t);
                String label = "e2e " + (warmup ? "warm-up " : "") + (int) rate + " msg/s";
                Map<String, Long> pids = stack.pids();
                pids.put("bench", ProcessHandle.current().pid());
                Map<String, ProcStats.Sample> before = new LinkedHashMap<>();
                pids.forEach((n, pid) -> before.put(n, ProcStats.sample(pid)));
                double load = ProcStats.loadAverage();
                int rooms = pop.sessions.size();
                OpenLoop.run(rate, seconds, (i, due) -> {
                    int room = (int) (i % rooms);
                    int member = (int) ((i / rooms) % ROOM);
                    int sender = room * ROOM + member;
                    Map<String, Object> body = Chat.message(1);
                    String key = (String) body.get("clientMessageId");
                    t.sending(key, due, room);
                    String sessionId = pop.sessions.get(room);
                    WebSocket ws = sockets.socket(sender);
                    if (i % 2 == 0 && ws != null) {
                        ObjectNode frame = json.valueToTree(body);
                        frame.put("type", "send");
                        frame.put("sessionId", sessionId);
                        ws.writeTextMessage(frame.toString()).onFailure(e -> t.sendFailed(key));
                    } else {
                        String text;
                        try {
                            text = json.writeValueAsString(body);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                        rest.request(HttpMethod.POST, messagePort, "127.0.0.1", "/v1/sessions/" + sessionId + "/messages")
                                .compose(req -> req.putHeader("Authorization", "Bearer " + tokens[sender])
                                        .putHeader("Content-Type", "application/json").send(text))
                                .onComplete(ar -> {
                                    if (ar.failed() || ar.result().statusCode() / 100 != 2) {
                                        t.sendFailed(key);
                                        if (ar.succeeded()) {
                                            ar.result().body().onSuccess(b -> System.out.printf(
                                                    "[%s] REST send refused: %d %s%n", label, ar.result().statusCode(),
                                                    b.toString().substring(0, Math.min(200, b.length()))));
                                        }
                                    }
                                });
                    }
                }, sec -> FanoutScenario.progress(label, t, sec), watchdog);
                // a warm-up drains fully (up to a minute), so that none of its frames lands in the first step
                FanoutScenario.drain(t, warmup ? o.withDrainSeconds(Math.max(60, o.drainSeconds())) : o, watchdog);
                Map<String, Double> cpu = new LinkedHashMap<>();
                Map<String, Double> cores = new LinkedHashMap<>();
                Tracker.Result r = t.result();
                sockets.track(null);
                pids.forEach((n, pid) -> {
                    ProcStats.Sample after = ProcStats.sample(pid);
                    cpu.put(n, r.sent() == 0 ? Double.NaN : after.cpuSince(before.get(n)) / 1e6 / r.sent());
                    cores.put(n, after.coresSince(before.get(n)));
                });
                Step st = new Step(rate, r, stored, cpu, cores, load, plan.history >= 0);
                stored += r.sent();
                if (!warmup) {
                    steps.add(st);
                }
                System.out.printf("[%s] done: %d/%d delivered, lost %d, dup %d, refused %d; p50 %s p99 %s ms; "
                                + "CPU ms per message %s%n", label, r.delivered(), r.expected(), r.lost(), r.duplicates(),
                        r.sendFailures(), Section.f2(r.percentileMillis(50)), Section.f2(r.percentileMillis(99)), fmt(cpu));
                if (!warmup && plan.history < 0 && (!r.clean() || r.percentileMillis(99) > P99_LIMIT_MS)) {
                    ratesDone = true;
                }
            }
            s.data.put("unexpectedCloses", sockets.unexpectedCloses());
            s.data.put("errorFrames", sockets.errorTypes());
        } finally {
            rest.close();
        }
        describe(s, o, pop, steps, idle);
        return s;
    }

    private static String fmt(Map<String, Double> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(Section.f2(v)));
        return b.toString();
    }

    private static void describe(Section s, Bench.Options o, Population pop, List<Step> steps,
            Map<String, Double> idle) {
        s.md("### e2e: %d registered users in %d groups of %d, half the sends over the socket, half over REST, %s s per step",
                pop.users.size(), pop.sessions.size(), ROOM, Section.f1(o.stepSeconds())).md("");
        List<String> names = steps.isEmpty() ? List.of() : new ArrayList<>(steps.get(0).cpuMsPerMessage.keySet());
        List<Object> header = new ArrayList<>(List.of("msg/s", "deliveries/s", "p50 ms", "p99 ms", "max ms",
                "delivered/expected", "lost", "dup", "refused", "stored before"));
        names.forEach(n -> header.add(n + " CPU ms/msg (cores)"));
        header.add("load avg");
        s.row(header.toArray());
        s.row(header.stream().map(h -> "---").toArray());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Step st : steps) {
            Tracker.Result r = st.result;
            List<Object> row = new ArrayList<>(List.of((int) st.rate, (int) st.rate * ROOM,
                    Section.f2(r.percentileMillis(50)), Section.f2(r.percentileMillis(99)), Section.f1(r.maxMillis()),
                    r.delivered() + "/" + r.expected(), r.lost(), r.duplicates(), r.sendFailures(), st.storedBefore));
            names.forEach(n -> row.add(Section.f2(st.cpuMsPerMessage.get(n)) + " (" + Section.f2(st.cores.get(n)) + ")"));
            row.add(Section.f2(st.machineLoad));
            s.row(row.toArray());
            Map<String, Object> m = FanoutScenario.stepData("stack", st.rate, r);
            m.put("storedBefore", st.storedBefore);
            m.put("cpuMsPerMessage", st.cpuMsPerMessage);
            m.put("cores", st.cores);
            m.put("machineLoad", st.machineLoad);
            String bottleneck = st.cores.entrySet().stream().filter(e -> !e.getKey().equals("bench"))
                    .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("?");
            m.put("busiestProcess", bottleneck);
            rows.add(m);
            if (!r.clean()) {
                s.problems.add(String.format("e2e at %d msg/s: lost %d, duplicates %d, misrouted %d, refused %d, unknown %d",
                        (int) st.rate, r.lost(), r.duplicates(), r.misrouted(), r.sendFailures(), r.unknown()));
            }
        }
        s.data.put("users", pop.users.size());
        s.data.put("idleCores", idle);
        if (!steps.isEmpty()) {
            s.md("").md("CPU per message above idle (ms; the process's cores at the step minus its cores with everyone "
                    + "connected and nothing sent, idle: %s):", fmt(idle)).md("");
            List<Object> h = new ArrayList<>(List.of("msg/s"));
            h.addAll(names);
            s.row(h.toArray());
            s.row(h.stream().map(x -> "---").toArray());
            for (int i = 0; i < steps.size(); i++) {
                Step st = steps.get(i);
                List<Object> row = new ArrayList<>(List.of((int) st.rate));
                names.forEach(n -> row.add(Section.f2(st.marginalMs(n, idle))));
                s.row(row.toArray());
                Map<String, Double> marginal = new LinkedHashMap<>();
                names.forEach(n -> marginal.put(n, st.marginalMs(n, idle)));
                rows.get(i).put("marginalCpuMsPerMessage", marginal);
                rows.get(i).put("history", st.history);
            }
            describeHistory(s, names, steps.stream().filter(Step::history).toList());
        }
        s.data.put("steps", rows);
        double best = steps.stream().filter(st -> !st.history && st.result.clean()
                        && st.result.percentileMillis(99) <= P99_LIMIT_MS)
                .mapToDouble(Step::rate).max().orElse(0);
        s.data.put("highestRateP99Under50ms", best);
        if (!rows.isEmpty()) {
            s.md("").md("Highest rate with p99 ≤ 50 ms and nothing lost: %d msg/s. Busiest process at the last step: %s.",
                    (int) best, rows.get(rows.size() - 1).get("busiestProcess"));
        }
        s.md("");
        s.plots.put("e2e-latency.svg", Plot.latency("end to end: send → frame latency by rate (ms, log scale)",
                steps.stream().filter(st -> !st.history).map(st -> new Plot.Point("stack", st.rate,
                        st.result.percentileMillis(50),
                        st.result.percentileMillis(99))).toList(), "messages/s"));
    }

    /**
     * {@code --history}: each process's CPU per message at each store size, and the largest size's
     * figure as a multiple of the smallest's (1.0 when the cost does not grow with history). Totals,
     * not the figures above idle: on two cores the idle window still holds JIT compilation, so a
     * difference from it can be zero or negative, and a ratio of it meaningless.
     */
    private static void describeHistory(Section s, List<String> names, List<Step> history) {
        if (history.size() < 2) {
            return;
        }
        Step first = history.get(0);
        Step last = history.get(history.size() - 1);
        s.md("").md("CPU per message (ms) as the store grows, %d msg/s at each size:", (int) first.rate).md("");
        List<Object> h = new ArrayList<>(List.of("stored messages"));
        h.addAll(names);
        s.row(h.toArray());
        s.row(h.stream().map(x -> "---").toArray());
        for (Step st : history) {
            List<Object> row = new ArrayList<>(List.of(st.storedBefore));
            names.forEach(n -> row.add(Section.f2(st.cpuMsPerMessage.get(n))));
            s.row(row.toArray());
        }
        List<Object> ratio = new ArrayList<>(List.of(last.storedBefore + " ÷ " + first.storedBefore));
        Map<String, Double> growth = new LinkedHashMap<>();
        for (String n : names) {
            double a = first.cpuMsPerMessage.get(n);
            double b = last.cpuMsPerMessage.get(n);
            ratio.add(Section.ratio(b, a));
            growth.put(n, b / a);
        }
        s.row(ratio.toArray());
        s.data.put("historyGrowth", growth);
    }

    /** The members of each session, in the order of {@code pop.sessions}. */
    private static List<List<Member>> rooms(Population pop) {
        List<List<Member>> rooms = new ArrayList<>();
        for (int i = 0; i < pop.sessions.size(); i++) {
            rooms.add(new ArrayList<>());
        }
        pop.users.forEach(u -> rooms.get(u.room).add(u));
        return rooms;
    }

    /** Registers the users and creates the groups, or reads them back from {@code --data-dir}. */
    private static Population population(Bench.Options o, BenchStack stack, ObjectMapper json, Watchdog watchdog)
            throws Exception {
        Path saved = o.dataDir() == null ? null : o.dataDir().resolve("bench-users.json");
        if (saved != null && Files.isRegularFile(saved)) {
            JsonNode n = json.readTree(saved.toFile());
            if (n.path("rooms").asInt() == o.e2eRooms()) {
                List<Member> users = new ArrayList<>();
                n.path("users").forEach(u -> users.add(new Member(u.path("id").asText(), u.path("username").asText(),
                        u.path("room").asInt())));
                List<String> sessions = new ArrayList<>();
                n.path("sessions").forEach(x -> sessions.add(x.asText()));
                System.out.printf("[e2e] reusing %d users in %d groups from %s%n", users.size(), sessions.size(), saved);
                return new Population(users, sessions);
            }
        }
        int n = o.e2eRooms() * ROOM;
        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI users = URI.create("http://127.0.0.1:" + stack.port("user-service") + "/v1/users");
        Member[] members = new Member[n];
        AtomicInteger done = new AtomicInteger();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    String username = "b" + run + "-" + index;
                    TestIdentity id = TestIdentity.generate();
                    Map<String, Object> identity = new LinkedHashMap<>();
                    identity.put("suite", id.suite());
                    identity.put("signingPublicKey", id.signingPublicKey());
                    identity.put("kemPublicKey", id.kemPublicKey());
                    identity.put("kemKeySignature", id.kemKeySignature());
                    Map<String, Object> body = Map.of("username", username, "displayName", "Bench " + index,
                            "password", PASSWORD, "identity", identity);
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(users)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 201) {
                        throw new IllegalStateException("registration failed: " + r.statusCode() + " " + r.body());
                    }
                    members[index] = new Member(json.readTree(r.body()).path("id").asText(), username, index / ROOM);
                    done.incrementAndGet();
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                while (true) {
                    try {
                        f.get(2, java.util.concurrent.TimeUnit.SECONDS);
                        break;
                    } catch (java.util.concurrent.TimeoutException e) {
                        watchdog.check();
                        System.out.printf("[e2e setup] registered %d/%d users (%.0f s)%n", done.get(), n,
                                (System.nanoTime() - started) / 1e9);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("[e2e setup] registered %d users in %.0f s%n", n, (System.nanoTime() - started) / 1e9);
        URI sessionsUri = URI.create("http://127.0.0.1:" + stack.port("session-service") + "/v1/sessions");
        List<String> sessions = new ArrayList<>();
        for (int r = 0; r < o.e2eRooms(); r++) {
            List<TestUser> group = new ArrayList<>();
            for (int m = 0; m < ROOM; m++) {
                Member u = members[r * ROOM + m];
                group.add(new TestUser(u.id, u.username, 1));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", "GROUP");
            body.put("members", group.subList(1, ROOM).stream().map(m -> Map.of("userId", m.id(), "role", "MEMBER")).toList());
            body.put("envelopes", group.get(0).envelopesFor(group));
            String owner = stack.token(group.get(0).id(), group.get(0).username(), TOKEN_LIFETIME);
            // session-service learns of new users from chat.users: retry until it knows all ten
            while (true) {
                watchdog.check();
                HttpResponse<String> resp = http.send(HttpRequest.newBuilder(sessionsUri)
                        .header("Content-Type", "application/json").header("Authorization", "Bearer " + owner)
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() == 201) {
                    sessions.add(json.readTree(resp.body()).path("id").asText());
                    break;
                }
                if (resp.statusCode() != 422) {
                    throw new IllegalStateException("group creation failed: " + resp.statusCode() + " " + resp.body());
                }
                Thread.sleep(200);
            }
            if ((r + 1) % 10 == 0 || r + 1 == o.e2eRooms()) {
                System.out.printf("[e2e setup] %d/%d groups created%n", r + 1, o.e2eRooms());
            }
        }
        Population pop = new Population(List.of(members), sessions);
        if (saved != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rooms", o.e2eRooms());
            out.put("users", pop.users);
            out.put("sessions", sessions);
            Files.createDirectories(saved.getParent());
            json.writerWithDefaultPrettyPrinter().writeValue(saved.toFile(), out);
        }
        return pop;
    }
}
