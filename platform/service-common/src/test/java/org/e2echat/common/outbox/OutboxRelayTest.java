package org.e2echat.common.outbox;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.quarkus.mongodb.impl.ReactiveMongoClientImpl;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.e2echat.common.events.ConfigRecordingInterceptor;
import org.e2echat.infra.LocalInfra;
import org.e2echat.testsupport.TopicRecorder;
import org.junit.jupiter.api.Test;

/** Two replicas' relays over one outbox: exactly one publishes, the other takes over when it stops. */
class OutboxRelayTest {

    private static final OutboxRelay.Settings FAST = new OutboxRelay.Settings(Duration.ofMillis(200),
            Duration.ofSeconds(3), Duration.ofMillis(25), 50);

    private static final ReactiveMongoClient MONGO = new ReactiveMongoClientImpl(
            MongoClients.create(LocalInfra.shared().mongo().connectionString()));

    static {
        // Outside Quarkus, Mutiny's context propagation initialises lazily and not thread-safely:
        // do it once here, before relays use it from several threads.
        Uni.createFrom().item(1).map(i -> i).await().indefinitely();
    }

    private final Map<String, Object> kafkaConfig = Map.of("bootstrap.servers",
            LocalInfra.shared().kafka().bootstrapServers());

    /** An outbox shared by the "replicas", in memory: document id → its pending event. */
    static final class SharedOutbox implements OutboxStore {
        final ConcurrentSkipListMap<String, Pending> pending = new ConcurrentSkipListMap<>();

        void add(String id, String json) {
            pending.put(id, new Pending(id, "key-" + (id.hashCode() % 7), List.of(new OutboxEvent(id, "T", json))));
        }

        @Override
        public Uni<List<Pending>> pending(int limit) {
            return Uni.createFrom().item(() -> new ArrayList<>(pending.values()).subList(0,
                    Math.min(limit, pending.size())));
        }

        @Override
        public Uni<Void> remove(String documentId, List<String> eventIds) {
            pending.remove(documentId);
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Long> backlog() {
            return Uni.createFrom().item((long) pending.size());
        }
    }

    @Test
    void ofTwoRelaysOnlyTheLeaseHolderPublishesAndTheOtherTakesOverWhenItStops() throws Exception {
        String topic = newTopic();
        SharedOutbox outbox = new SharedOutbox();
        SimpleMeterRegistry metersA = new SimpleMeterRegistry();
        SimpleMeterRegistry metersB = new SimpleMeterRegistry();
        try (TopicRecorder published = TopicRecorder.fromBeginning(bootstrap(), topic)) {
            OutboxRelay a = relay(topic, outbox, metersA);
            OutboxRelay b = relay(topic, outbox, metersB);
            try {
                for (int i = 0; i < 300; i++) {
                    outbox.add(String.format("doc-%05d", i), "{\"n\":" + i + "}");
                    (i % 2 == 0 ? a : b).wake();
                }
                await().atMost(20, TimeUnit.SECONDS).until(() -> outbox.pending.isEmpty());
                await().atMost(10, TimeUnit.SECONDS).until(() -> published.find(r -> r.value().equals("{\"n\":299}"))
                        .isPresent());
                double byA = metersA.get("e2echat_outbox_published").counter().count();
                double byB = metersB.get("e2echat_outbox_published").counter().count();
                assertTrue(byA == 0 || byB == 0, "both relays published: " + byA + " and " + byB);
                assertEquals(300.0, byA + byB);
                assertEquals(300, distinctValues(published).size(), "each event published once");
                assertEquals(300, count(published), "no duplicates while one replica holds the lease");

                OutboxRelay leader = a.leader() ? a : b;
                OutboxRelay other = leader == a ? b : a;
                leader.close();
                for (int i = 300; i < 350; i++) {
                    outbox.add(String.format("doc-%05d", i), "{\"n\":" + i + "}");
                    other.wake();
                }
                await().atMost(15, TimeUnit.SECONDS).until(() -> outbox.pending.isEmpty());
                await().atMost(10, TimeUnit.SECONDS).until(() -> distinctValues(published).size() == 350);
                assertTrue(other.leader(), "the remaining replica took the lease");
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void anUnreadableDocumentIsSkippedAndCountedWhileTheOthersArePublished() throws Exception {
        String topic = newTopic();
        SharedOutbox outbox = new SharedOutbox();
        outbox.add("doc-1", "{\"n\":1}");
        outbox.pending.put("doc-2", new OutboxStore.Pending("doc-2", null, List.of(), "IllegalStateException"));
        outbox.add("doc-3", "{\"n\":3}");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (TopicRecorder published = TopicRecorder.fromBeginning(bootstrap(), topic)) {
            OutboxRelay relay = relay(topic, outbox, meters);
            try {
                relay.wake();
                await().atMost(15, TimeUnit.SECONDS).until(() -> distinctValues(published).size() == 2);
                assertTrue(meters.get("e2echat_outbox_unreadable").counter().count() >= 1);
                assertTrue(outbox.pending.containsKey("doc-2"), "left in place for an operator, not marked published");
            } finally {
                relay.close();
            }
        }
    }

    /** The relay's producer is built from the whole Kafka configuration (TLS, SASL, ...), not just the bootstrap servers. */
    @Test
    void theRelayIsGivenTheWholeKafkaConfiguration() throws Exception {
        String topic = newTopic();
        SharedOutbox outbox = new SharedOutbox();
        outbox.add("doc-1", "{\"n\":1}");
        Map<String, String> security = Map.of("security.protocol", "PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512",
                "e2echat.probe", UUID.randomUUID().toString());
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.putAll(security);
        config.put("interceptor.classes", ConfigRecordingInterceptor.class.getName());
        OutboxRelay relay = relay(topic, outbox, new SimpleMeterRegistry(), config);
        try {
            relay.wake();
            await().atMost(15, TimeUnit.SECONDS).until(() -> ConfigRecordingInterceptor.saw("sent", topic, security));
        } finally {
            relay.close();
        }
    }

    private OutboxRelay relay(String topic, OutboxStore store, SimpleMeterRegistry meters) {
        return relay(topic, store, meters, kafkaConfig);
    }

    private OutboxRelay relay(String topic, OutboxStore store, SimpleMeterRegistry meters, Map<String, Object> config) {
        OutboxLease lease = new OutboxLease(MONGO.getDatabase("outbox-relay-test").getCollection("outbox_leases"),
                topic, UUID.randomUUID().toString());
        return new OutboxRelay(topic, store, lease, new HashMap<>(config), FAST, meters);
    }

    private String bootstrap() {
        return String.valueOf(kafkaConfig.get("bootstrap.servers"));
    }

    private String newTopic() throws Exception {
        String topic = "relay-test-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private static java.util.Set<String> distinctValues(TopicRecorder recorder) {
        java.util.Set<String> values = new java.util.HashSet<>();
        recorder.find(r -> {
            values.add(r.value());
            return false;
        });
        return values;
    }

    private static int count(TopicRecorder recorder) {
        int[] n = {0};
        recorder.find((ConsumerRecord<String, String> r) -> {
            n[0]++;
            return false;
        });
        return n[0];
    }
}
