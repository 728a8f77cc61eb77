package org.e2echat.system;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.e2echat.client.sdk.ChatClient;
import org.e2echat.client.sdk.ChatListener;
import org.e2echat.client.sdk.Endpoints;
import org.e2echat.client.sdk.ReceivedMessage;
import org.e2echat.infra.stack.LocalStack;
import org.e2echat.infra.stack.ServiceSpec;
import org.e2echat.infra.stack.StackOptions;
import org.e2echat.infra.stack.StackProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event backbone under faults, on two replicas of every service: four users on different
 * gateways chat in two groups while one replica of each service is killed (SIGKILL) in turn, then
 * the infrastructure process (restarted on its data directory), then the Kafka broker is stopped
 * for 90 seconds. Afterwards every acknowledged message is stored once at its acknowledged seq,
 * every member holds exactly the server's messages in seq order with no gaps, and live delivery
 * came back by itself after each fault. Writes a report (per fault: sent, acknowledged, stored,
 * delivered, lost, duplicated, recovery time) to {@code target/backbone-fault/report.md}.
 */
class BackboneFaultIT {

    private static final Path ROOT = Path.of(System.getProperty("e2echat.root", "../..")).toAbsolutePath().normalize();
    private static final Path OUT = ROOT.resolve("platform/system-tests/target/backbone-fault");
    private static final Duration UP = Duration.ofSeconds(180);
    private static final Duration BROKER_OUTAGE = Duration.ofSeconds(
            Long.getLong("e2echat.fault.broker-outage-seconds", 90));
    private static final Duration SETTLE = Duration.ofSeconds(8);
    private static final String PASSWORD = "backbone fault password";

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalStack stack;
    private static final List<ChatClient> clients = new ArrayList<>();

    /** One acknowledged send: what the server answered and when. */
    record Ack(String sessionId, String text, long seq, long ackedAtMillis, String phase) {
    }

    /** A fault window: from its injection until the next one. */
    record Phase(String name, long startMillis) {
    }

    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failedSends = new ConcurrentHashMap<>();
    private final List<Phase> phases = new CopyOnWriteArrayList<>();
    /** Per client, the first time each text arrived at its application (live or by its own catch-up). */
    private final Map<ChatClient, Map<String, Long>> arrivals = new ConcurrentHashMap<>();
    private final Map<ChatClient, List<String>> repairs = new ConcurrentHashMap<>();
    private volatile String phase = "warm-up";

    @BeforeAll
    static void startTwoReplicasOfEverything() throws Exception {
        Path data = Files.createTempDirectory("e2echat-backbone-");
        StackOptions options = StackOptions.defaults(ROOT).withFreePorts().withReplicas(2).withDataDir(data)
                .withLogDir(OUT.resolve("logs"));
        stack = LocalStack.start(options, System.out);
    }

    @AfterAll
    static void stop() {
        clients.forEach(ChatClient::close);
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyAcknowledgedMessageSurvivesEachFaultAndReachesEveryMemberOnceInSeqOrder() throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        List<StackProcess> gateways = stack.replicas(ServiceSpec.ALL.get(3));
        ChatClient alice = register("alice" + run, gateways.get(0));
        ChatClient bob = register("bob" + run, gateways.get(0));
        ChatClient carol = register("carol" + run, gateways.get(1));
        ChatClient dave = register("dave" + run, gateways.get(1));
        String everyone = alice.createGroup(List.of(bob.userId(), carol.userId(), dave.userId()), Duration.ofSeconds(30));
        String pair = bob.createGroup(List.of(dave.userId()), Duration.ofSeconds(30));
        Map<String, List<ChatClient>> members = Map.of(everyone, List.of(alice, bob, carol, dave),
                pair, List.of(bob, dave));
        for (ChatClient c : clients) {
            c.stayConnected(Duration.ofMillis(200), Duration.ofSeconds(2));
        }

        AtomicBoolean sending = new AtomicBoolean(true);
        ExecutorService senders = Executors.newFixedThreadPool(4);
        senders.submit(() -> sendUntilStopped(alice, everyone, sending));
        senders.submit(() -> sendUntilStopped(carol, everyone, sending));
        senders.submit(() -> sendUntilStopped(bob, pair, sending));
        senders.submit(() -> sendUntilStopped(dave, pair, sending));
        try {
            enter("warm-up");
            Thread.sleep(SETTLE.toMillis());
            for (ServiceSpec spec : ServiceSpec.ALL) {
                String victim = victim(spec);
                enter("kill -9 " + victim);
                stack.kill(victim);
                stack.awaitAllUp(UP);
                Thread.sleep(SETTLE.toMillis());
            }
            enter("kill -9 infra");
            stack.kill("infra");
            stack.awaitAllUp(UP);
            Thread.sleep(SETTLE.toMillis());
            enter("broker stopped " + BROKER_OUTAGE.toSeconds() + " s");
            stack.stopBroker(Duration.ofSeconds(60));
            Thread.sleep(BROKER_OUTAGE.toMillis());
            stack.startBroker(Duration.ofSeconds(120));
            enter("after the broker is back");
            Thread.sleep(SETTLE.toMillis() * 2);
        } finally {
            sending.set(false);
            senders.shutdown();
            assertTrue(senders.awaitTermination(3, TimeUnit.MINUTES), "senders finished");
        }

        // Every member ends with exactly what the server holds: wait for live delivery and the
        // clients' own reconnect catch-ups; then one catch-up each, as an application would do.
        Map<String, List<ReceivedMessage>> server = new HashMap<>();
        members.forEach((sid, who) -> server.put(sid, who.get(0).readAll(sid)));
        for (var entry : members.entrySet()) {
            for (ChatClient c : entry.getValue()) {
                await().atMost(Duration.ofSeconds(60)).until(() -> c.messages(entry.getKey()).size()
                        >= server.get(entry.getKey()).size());
            }
        }
        Map<ChatClient, Map<String, Long>> liveOnly = new HashMap<>();
        arrivals.forEach((c, m) -> liveOnly.put(c, new HashMap<>(m)));
        for (var entry : members.entrySet()) {
            for (ChatClient c : entry.getValue()) {
                c.catchUp(entry.getKey());
            }
        }

        String report = report(members, server, liveOnly);
        Files.createDirectories(OUT);
        Files.writeString(OUT.resolve("report.md"), report);
        System.out.println(report);

        for (var entry : members.entrySet()) {
            String sid = entry.getKey();
            List<ReceivedMessage> stored = server.get(sid);
            List<Long> seqs = stored.stream().map(ReceivedMessage::seq).toList();
            assertEquals(LongStream.rangeClosed(1, stored.size()).boxed().toList(), seqs, "dense seqs in " + sid);
            Map<Long, String> messageIdAtSeq = stored.stream().collect(Collectors.toMap(ReceivedMessage::seq,
                    ReceivedMessage::messageId));
            assertEquals(stored.size(), Set.copyOf(messageIdAtSeq.values()).size(), "no message stored twice");
            for (ChatClient c : entry.getValue()) {
                List<ReceivedMessage> held = c.messages(sid);
                assertEquals(seqs, held.stream().map(ReceivedMessage::seq).toList(),
                        c.username() + " holds every seq of " + sid + " once, in order");
                for (ReceivedMessage m : held) {
                    assertEquals(messageIdAtSeq.get(m.seq()), m.messageId(), c.username() + " agrees on seq " + m.seq());
                }
                assertEquals(List.of(), repairs.getOrDefault(c, List.of()), "no seq was ever given to another message");
            }
            Map<String, Long> storedTexts = stored.stream()
                    .collect(Collectors.groupingBy(ReceivedMessage::text, Collectors.counting()));
            for (Ack ack : acks) {
                if (ack.sessionId().equals(sid)) {
                    assertEquals(1L, storedTexts.getOrDefault(ack.text(), 0L), "acknowledged in phase '" + ack.phase()
                            + "' and stored exactly once: seq " + ack.seq());
                    assertEquals(ack.text(), stored.get((int) ack.seq() - 1).text(),
                            "stored at the seq it was acknowledged with");
                }
            }
        }
        for (Phase p : phases) {
            assertTrue(acks.stream().anyMatch(a -> a.phase().equals(p.name())), "sends were acknowledged during '"
                    + p.name() + "'");
            assertTrue(recoveryMillis(p, members, liveOnly) >= 0, "live delivery resumed by itself after '" + p.name()
                    + "'");
        }
    }

    /**
     * The replica to kill: for a service with an outbox, the one publishing its topic (so the lease
     * must change hands); for the gateway, the first (half the users are connected to it).
     */
    private static String victim(ServiceSpec spec) throws Exception {
        String topic = Map.of("user-service", "chat.users", "session-service", "chat.sessions",
                "message-service", "chat.messages").get(spec.name());
        List<StackProcess> replicas = stack.replicas(spec);
        if (topic == null) {
            return replicas.get(0).name();
        }
        String leader = "e2echat_outbox_leader{topic=\"" + topic + "\"} 1.0";
        for (StackProcess replica : replicas) {
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + replica.port() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (metrics.body().lines().anyMatch(l -> l.equals(leader))) {
                return replica.name();
            }
        }
        throw new AssertionError("no replica of " + spec.name() + " publishes " + topic);
    }

    private ChatClient register(String username, StackProcess gateway) {
        Endpoints endpoints = new Endpoints(stack.url(ServiceSpec.ALL.get(0)), stack.url(ServiceSpec.ALL.get(1)),
                stack.url(ServiceSpec.ALL.get(2)), URI.create("http://127.0.0.1:" + gateway.port()));
        ChatClient client = ChatClient.register(endpoints, username, username, PASSWORD);
        clients.add(client);
        Map<String, Long> seen = new ConcurrentHashMap<>();
        arrivals.put(client, seen);
        client.addListener(new ChatListener() {
            @Override
            public void onMessage(ReceivedMessage message) {
                seen.putIfAbsent(message.text(), System.currentTimeMillis());
            }

            @Override
            public void onTimelineRepaired(String sessionId, long fromSeq) {
                repairs.computeIfAbsent(client, c -> new CopyOnWriteArrayList<>()).add(sessionId + "@" + fromSeq);
            }
        });
        return client;
    }

    private void enter(String name) {
        phase = name;
        phases.add(new Phase(name, System.currentTimeMillis()));
        System.out.printf("[fault] %s%n", name);
    }

    /** Sends a numbered text every 150 ms; the SDK repeats a send whose outcome is unknown. */
    private void sendUntilStopped(ChatClient from, String sid, AtomicBoolean sending) {
        for (int n = 1; sending.get(); n++) {
            String current = phase;
            String text = from.username() + " #" + n;
            attempts.computeIfAbsent(current, k -> new AtomicInteger()).incrementAndGet();
            try {
                long seq = from.send(sid, text);
                acks.add(new Ack(sid, text, seq, System.currentTimeMillis(), current));
            } catch (RuntimeException e) {
                failedSends.computeIfAbsent(current, k -> new AtomicInteger()).incrementAndGet();
                System.out.printf("[fault] send by %s during '%s' failed: %s%n", from.username(), current, e);
            }
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Milliseconds from the phase's start until a message acknowledged after it had reached every
     * member live; -1 if none did before the next phase (plus a minute).
     */
    private long recoveryMillis(Phase p, Map<String, List<ChatClient>> members,
            Map<ChatClient, Map<String, Long>> liveOnly) {
        long from = p.name().startsWith("broker stopped")
                ? phases.get(phases.indexOf(p) + 1).startMillis() : p.startMillis();
        long best = Long.MAX_VALUE;
        for (Ack a : acks) {
            if (a.ackedAtMillis() < from) {
                continue;
            }
            long last = 0;
            for (ChatClient c : members.get(a.sessionId())) {
                Long at = liveOnly.get(c).get(a.text());
                last = at == null ? Long.MAX_VALUE : Math.max(last, at);
            }
            best = Math.min(best, last);
        }
        return best == Long.MAX_VALUE ? -1 : best - from;
    }

    private String report(Map<String, List<ChatClient>> members, Map<String, List<ReceivedMessage>> server,
            Map<ChatClient, Map<String, Long>> liveOnly) {
        Map<String, Long> storedCount = new HashMap<>();
        server.values().forEach(list -> list.forEach(m -> storedCount.merge(m.text(), 1L, Long::sum)));
        StringBuilder b = new StringBuilder();
        b.append("# Backbone fault run\n\nTwo replicas of every service; four users, two groups, one send every 150 ms ")
                .append("per sender. Recovery: from the fault (for the broker outage: from the broker's return) until a ")
                .append("message acknowledged after it had reached every member live.\n\n")
                .append("| fault | sent | acknowledged | failed | stored | delivered to all | lost | duplicated | recovery |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        Map<String, List<Ack>> byPhase = new LinkedHashMap<>();
        phases.forEach(p -> byPhase.put(p.name(), new ArrayList<>()));
        acks.forEach(a -> byPhase.computeIfAbsent(a.phase(), k -> new ArrayList<>()).add(a));
        for (Phase p : phases) {
            List<Ack> acked = byPhase.get(p.name());
            long stored = acked.stream().filter(a -> storedCount.getOrDefault(a.text(), 0L) >= 1).count();
            long duplicated = acked.stream().filter(a -> storedCount.getOrDefault(a.text(), 0L) > 1).count();
            long delivered = acked.stream().filter(a -> members.get(a.sessionId()).stream()
                    .allMatch(c -> c.messages(a.sessionId()).stream().anyMatch(m -> m.text().equals(a.text()))))
                    .count();
            long recovery = recoveryMillis(p, members, liveOnly);
            b.append(String.format("| %s | %d | %d | %d | %d | %d | %d | %d | %s |%n", p.name(),
                    attempts.getOrDefault(p.name(), new AtomicInteger()).get(), acked.size(),
                    failedSends.getOrDefault(p.name(), new AtomicInteger()).get(), stored, delivered,
                    acked.size() - stored, duplicated, recovery < 0 ? "not within the run" : recovery + " ms"));
        }
        long live = 0;
        long total = 0;
        for (var entry : members.entrySet()) {
            for (ChatClient c : entry.getValue()) {
                for (ReceivedMessage m : server.get(entry.getKey())) {
                    total++;
                    if (liveOnly.get(c).containsKey(m.text())) {
                        live++;
                    }
                }
            }
        }
        b.append(String.format("%nDeliveries: %d of %d reached the application before the final catch-up "
                + "(live frames and the SDK's own reconnect catch-ups); timeline repairs: %d.%n", live, total,
                repairs.values().stream().mapToInt(List::size).sum()));
        return b.toString();
    }
}
