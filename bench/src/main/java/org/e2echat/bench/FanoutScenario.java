package org.e2echat.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.EventEnvelope;
import org.e2echat.contracts.events.MessageEvents.MessageStored;

/**
 * {@code fanout}: the gateway alone. {@code MessageStored} events for rooms of 10 connected users
 * are written straight into {@code chat.messages} at rate R (open loop); the same events go to the
 * baseline over its inject socket. The two run interleaved, one step each per rate, until each
 * passes a p99 of one second or loses anything; CPU per delivery from /proc.
 */
public final class FanoutScenario {

    static final int ROOM = 10;
    private static final double P99_LIMIT_MS = 50;
    private static final double SATURATED_P99_MS = 1000;

    private FanoutScenario() {
    }

    /** One server's half of a step. */
    record Step(String server, double rate, Tracker.Result result, double cpuMicrosPerDelivery, double cores,
            double machineLoad, Tracker.Result broker) {
    }

    public static Section run(Bench.Options o, BenchStack stack, Baseline baseline, Vertx vertx, Watchdog watchdog)
            throws Exception {
        Section s = new Section("fanout");
        int users = o.rooms() * ROOM;
        String[] ids = new String[users];
        String[] rooms = new String[o.rooms()];
        for (int i = 0; i < users; i++) {
            ids[i] = UUID.randomUUID().toString();
        }
        for (int r = 0; r < rooms.length; r++) {
            rooms[r] = UUID.randomUUID().toString();
        }
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        List<Step> steps = new ArrayList<>();
        try (KafkaProbe probe = new KafkaProbe(stack.kafkaBootstrapServers(), Topic.MESSAGES.name());
                KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
                Sockets base = Sockets.open(vertx, "fanout baseline", baseline.port(), users, 64,
                        i -> new WebSocketConnectOptions().addHeader(BareBroadcastServer.USER_HEADER, ids[i]), watchdog);
                Sockets gw = Sockets.open(vertx, "fanout gateway", stack.port("gateway"), users, 64,
                        i -> new WebSocketConnectOptions().addSubProtocol("chat.v1").addHeader("Authorization",
                                "Bearer " + stack.token(ids[i], "fan" + i, Duration.ofHours(3))), watchdog)) {
            WebSocket inject = vertx.createWebSocketClient().connect(baseline.port(), "127.0.0.1", "/inject")
                    .toCompletionStage().toCompletableFuture().get();
            // the gateway's consumer group starts at the latest offset: give it a moment to be assigned
            producer.partitionsFor(Topic.MESSAGES.name());
            while (!probe.assigned()) {
                watchdog.sleep(100);
            }
            watchdog.sleep(1000);
            double first = o.fanoutRates()[0];
            Bench.Options warm = o.withStepSeconds(o.warmupSeconds());
            step("baseline warm-up", first, warm, base, null, baseline.pid(), rooms, ids, json,
                    (room, event) -> inject.writeTextMessage(event), watchdog);
            step("gateway warm-up", first, warm, gw, null, stack.pid("gateway"), rooms, ids, json,
                    (room, event) -> producer.send(new ProducerRecord<>(Topic.MESSAGES.name(), room, event)), watchdog);
            boolean baseGoing = true;
            boolean gwGoing = true;
            for (double rate : o.fanoutRates()) {
                if (!baseGoing && !gwGoing) {
                    break;
                }
                if (baseGoing) {
                    Step st = step("baseline", rate, o, base, null, baseline.pid(), rooms, ids, json,
                            (room, event) -> inject.writeTextMessage(event), watchdog);
                    steps.add(st);
                    baseGoing = going(st);
                }
                if (gwGoing) {
                    Step st = step("gateway", rate, o, gw, probe, stack.pid("gateway"), rooms, ids, json,
                            (room, event) -> producer.send(new ProducerRecord<>(Topic.MESSAGES.name(), room, event)),
                            watchdog);
                    steps.add(st);
                    gwGoing = going(st);
                }
            }
            inject.close();
            s.data.put("unexpectedCloses", Map.of("baseline", base.unexpectedCloses(), "gateway", gw.unexpectedCloses()));
        }
        describe(s, o, steps);
        return s;
    }

    private static Step step(String server, double rate, Bench.Options o, Sockets sockets, KafkaProbe probe, long pid,
            String[] rooms,
            String[] ids, ObjectMapper json, BiConsumer<String, String> inject, Watchdog watchdog) throws Exception {
        Tracker t = new Tracker(ROOM);
        sockets.track(t);
        Tracker broker = new Tracker(1);
        if (probe != null) {
            probe.track(broker);
        }
        byte[] ciphertext = new byte[o.payloadBytes()];
        ThreadLocalRandom.current().nextBytes(ciphertext);
        String ct = Base64.getEncoder().encodeToString(ciphertext);
        String label = "fanout " + server + " " + (int) rate + " msg/s";
        ProcStats.Sample before = ProcStats.sample(pid);
        double load = ProcStats.loadAverage();
        OpenLoop.run(rate, o.stepSeconds(), (i, due) -> {
            int room = (int) (i % rooms.length);
            String key = UUID.randomUUID().toString();
            List<String> recipients = new ArrayList<>(ROOM);
            for (int m = 0; m < ROOM; m++) {
                recipients.add(ids[room * ROOM + m]);
            }
            MessageStored payload = new MessageStored(UUID.randomUUID().toString(), rooms[room], i + 1, 1,
                    recipients.get(0), "fan", "Fan", 1, "e2echat-v1", key, "AAAAAAAAAAAAAAAA", ct,
                    "c2lnbmF0dXJl", Instant.now(), Instant.now(), recipients);
            String event;
            try {
                event = json.writeValueAsString(EventEnvelope.of(MessageStored.TYPE, 1, payload));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            t.sending(key, due, room);
            if (probe != null) {
                broker.sending(key, due, 0);
            }
            inject.accept(rooms[room], event);
        }, sec -> progress(label, t, sec), watchdog);
        drain(t, o, watchdog);
        ProcStats.Sample after = ProcStats.sample(pid);
        Tracker.Result r = t.result();
        sockets.track(null);
        Tracker.Result b = probe == null ? null : broker.result();
        if (probe != null) {
            probe.track(null);
        }
        double cpuPerDelivery = r.delivered() == 0 ? Double.NaN : after.cpuSince(before) / 1000.0 / r.delivered();
        System.out.printf("[%s] done: %d/%d delivered, lost %d, dup %d, misrouted %d; p50 %s p99 %s ms; "
                        + "%.1f µs CPU per delivery, %.2f cores%n", label, r.delivered(), r.expected(), r.lost(),
                r.duplicates(), r.misrouted(), Section.f2(r.percentileMillis(50)), Section.f2(r.percentileMillis(99)),
                cpuPerDelivery, after.coresSince(before));
        if (b != null) {
            System.out.printf("[%s] the broker alone (a plain consumer in the bench): p50 %s p99 %s ms%n", label,
                    Section.f2(b.percentileMillis(50)), Section.f2(b.percentileMillis(99)));
        }
        return new Step(server, rate, r, cpuPerDelivery, after.coresSince(before), load, b);
    }

    /**
     * Whether a server steps up further: not after a loss, nor once its p99 passes a second (it is
     * saturated). Between 50 ms and 1 s it goes on, so that both servers are compared at the same
     * rates even when a busy machine pushes the baseline's tail over 50 ms.
     */
    private static boolean going(Step st) {
        return st.result.clean() && st.result.percentileMillis(99) <= SATURATED_P99_MS;
    }

    /** Waits until every delivery has arrived, or the drain time passes (what is missing then is lost). */
    static void drain(Tracker t, Bench.Options o, Watchdog watchdog) throws InterruptedException {
        long end = System.nanoTime() + o.drainSeconds() * 1_000_000_000L;
        while (t.outstanding() > 0 && System.nanoTime() < end) {
            watchdog.sleep(20);
        }
    }

    static void progress(String label, Tracker t, long second) {
        var h = t.interval();
        System.out.printf("[%s] %2d s: sent %d, delivered %d; last second p50 %s p99 %s ms%n", label, second, t.sent(),
                t.delivered(), h.getTotalCount() == 0 ? "–" : Section.f2(h.getValueAtPercentile(50) / 1000.0),
                h.getTotalCount() == 0 ? "–" : Section.f2(h.getValueAtPercentile(99) / 1000.0));
    }

    private static void describe(Section s, Bench.Options o, List<Step> steps) {
        s.md("### fanout: events injected for %d rooms of %d (%d connections per server), %s s per step",
                o.rooms(), ROOM, o.rooms() * ROOM, Section.f1(o.stepSeconds())).md("");
        s.row("msg/s", "deliveries/s", "server", "p50 ms", "p99 ms", "max ms", "CPU µs/delivery", "cores",
                "delivered/expected", "lost", "dup", "misrouted", "broker alone p50/p99 ms", "load avg")
                .row("---", "---", "---", "---", "---", "---", "---", "---", "---", "---", "---", "---", "---", "---");
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<Double, Step> baseByRate = new LinkedHashMap<>();
        for (Step st : steps) {
            if (st.server.equals("baseline")) {
                baseByRate.put(st.rate, st);
            }
            Tracker.Result r = st.result;
            s.row((int) st.rate, (int) st.rate * ROOM, st.server, Section.f2(r.percentileMillis(50)),
                    Section.f2(r.percentileMillis(99)), Section.f1(r.maxMillis()), Section.f1(st.cpuMicrosPerDelivery),
                    Section.f2(st.cores), r.delivered() + "/" + r.expected(), r.lost(), r.duplicates(), r.misrouted(),
                    st.broker == null ? "" : Section.f2(st.broker.percentileMillis(50)) + " / "
                            + Section.f2(st.broker.percentileMillis(99)),
                    Section.f2(st.machineLoad));
            Map<String, Object> m = stepData(st.server, st.rate, r);
            m.put("cpuMicrosPerDelivery", st.cpuMicrosPerDelivery);
            m.put("cores", st.cores);
            m.put("machineLoad", st.machineLoad);
            if (st.broker != null) {
                m.put("brokerAloneP50ms", st.broker.percentileMillis(50));
                m.put("brokerAloneP99ms", st.broker.percentileMillis(99));
            }
            rows.add(m);
            if (!r.clean()) {
                s.problems.add(String.format("fanout %s at %d msg/s: lost %d, duplicates %d, misrouted %d, unknown %d",
                        st.server, (int) st.rate, r.lost(), r.duplicates(), r.misrouted(), r.unknown()));
            }
        }
        s.data.put("steps", rows);
        s.md("").md("Ratios (gateway ÷ baseline, same rate, same invocation):").md("");
        s.row("msg/s", "CPU per delivery", "p50", "p99").row("---", "---", "---", "---");
        List<Map<String, Object>> ratios = new ArrayList<>();
        for (Step g : steps) {
            Step b = baseByRate.get(g.rate);
            if (!g.server.equals("gateway") || b == null) {
                continue;
            }
            s.row((int) g.rate, Section.ratio(g.cpuMicrosPerDelivery, b.cpuMicrosPerDelivery),
                    Section.ratio(g.result.percentileMillis(50), b.result.percentileMillis(50)),
                    Section.ratio(g.result.percentileMillis(99), b.result.percentileMillis(99)));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rate", g.rate);
            m.put("cpuPerDelivery", g.cpuMicrosPerDelivery / b.cpuMicrosPerDelivery);
            m.put("p50", g.result.percentileMillis(50) / b.result.percentileMillis(50));
            m.put("p99", g.result.percentileMillis(99) / b.result.percentileMillis(99));
            ratios.add(m);
        }
        s.data.put("ratios", ratios);
        double bestBase = best(steps, "baseline");
        double bestGw = best(steps, "gateway");
        s.data.put("highestRateP99Under50ms", Map.of("baseline", bestBase, "gateway", bestGw));
        s.md("").md("Highest rate with p99 ≤ 50 ms and nothing lost: baseline %s msg/s, gateway %s msg/s (%s)%s.",
                (int) bestBase, (int) bestGw, Section.ratio(bestGw, bestBase),
                o.fanoutRates().length > 0 && bestBase >= o.fanoutRates()[o.fanoutRates().length - 1]
                        ? "; the baseline reached the highest rate tried" : "").md("");
        s.plots.put("fanout-latency.svg", Plot.latency("fan-out: latency by rate (ms, log scale)", steps.stream()
                .map(st -> new Plot.Point(st.server, st.rate * ROOM, st.result.percentileMillis(50),
                        st.result.percentileMillis(99))).toList(), "deliveries/s"));
    }

    static double best(List<Step> steps, String server) {
        return steps.stream().filter(st -> st.server.equals(server) && st.result.clean()
                && st.result.percentileMillis(99) <= P99_LIMIT_MS).mapToDouble(Step::rate).max().orElse(0);
    }

    static Map<String, Object> stepData(String server, double rate, Tracker.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("server", server);
        m.put("rate", rate);
        m.put("sent", r.sent());
        m.put("expected", r.expected());
        m.put("delivered", r.delivered());
        m.put("lost", r.lost());
        m.put("duplicates", r.duplicates());
        m.put("misrouted", r.misrouted());
        m.put("unknown", r.unknown());
        m.put("sendFailures", r.sendFailures());
        m.put("p50ms", r.percentileMillis(50));
        m.put("p90ms", r.percentileMillis(90));
        m.put("p99ms", r.percentileMillis(99));
        m.put("p999ms", r.percentileMillis(99.9));
        m.put("maxms", r.maxMillis());
        return m;
    }
}
