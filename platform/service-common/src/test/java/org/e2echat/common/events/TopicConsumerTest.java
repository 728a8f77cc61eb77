package org.e2echat.common.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.e2echat.contracts.Topic;
import org.e2echat.infra.LocalInfra;
import org.e2echat.testsupport.TopicRecorder;
import org.junit.jupiter.api.Test;

/** The consumer restarts after client failures, never skips a record under BLOCK, and dead-letters under DEAD_LETTER. */
class TopicConsumerTest {

    private static final Duration FAST = Duration.ofMillis(50);

    private final String bootstrap = LocalInfra.shared().kafka().bootstrapServers();

    @Test
    void restartsAfterAPollFailureAndReportsNotConsumingMeanwhile() {
        String topic = "t";
        TopicPartition tp = new TopicPartition(topic, 0);
        List<MockConsumer<String, String>> made = new CopyOnWriteArrayList<>();
        List<String> handled = new CopyOnWriteArrayList<>();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        TopicConsumer.Options options = TopicConsumer.Options.of("g", List.of(topic), "earliest",
                TopicConsumer.OnFailure.BLOCK).backoff(Duration.ofMillis(300), Duration.ofMillis(300));
        try (TopicConsumer consumer = new TopicConsumer(Map.of(), options, r -> handled.add(r.value()), meters,
                config -> {
                    MockConsumer<String, String> mock = new MockConsumer<>("earliest");
                    mock.updateBeginningOffsets(Map.of(tp, 0L));
                    mock.schedulePollTask(() -> {
                        mock.rebalance(List.of(tp));
                        if (made.size() == 1) {
                            mock.setPollException(new KafkaException("broker gone"));
                        } else {
                            mock.addRecord(new ConsumerRecord<>(topic, 0, 0, "k", "after restart"));
                        }
                    });
                    made.add(mock);
                    return mock;
                })) {
            await().atMost(5, TimeUnit.SECONDS).until(() -> consumer.state() == TopicConsumer.State.RESTARTING);
            assertEquals("KafkaException", consumer.lastError());
            await().atMost(5, TimeUnit.SECONDS).until(() -> handled.contains("after restart"));
            await().atMost(5, TimeUnit.SECONDS).until(() -> consumer.state() == TopicConsumer.State.CONSUMING);
            assertEquals(2, made.size(), "one client failed, a second one took over");
            assertEquals(1.0, meters.get("e2echat_consumer_restarts").counter().count());
        }
    }

    @Test
    void underBlockARecordThatKeepsFailingIsRetriedUntilItSucceedsAndNothingOvertakesIt() throws Exception {
        String topic = newTopic();
        AtomicInteger attemptsOnTwo = new AtomicInteger();
        List<String> handled = new CopyOnWriteArrayList<>();
        List<TopicConsumer.State> statesWhileFailing = new CopyOnWriteArrayList<>();
        TopicConsumer[] self = new TopicConsumer[1];
        TopicConsumer.Options options = TopicConsumer.Options.of("block-" + UUID.randomUUID(), List.of(topic),
                "earliest", TopicConsumer.OnFailure.BLOCK).backoff(FAST, FAST);
        produce(topic, "one", "two", "three");
        try (TopicConsumer consumer = new TopicConsumer(Map.of("bootstrap.servers", bootstrap), options, r -> {
            if (r.value().equals("two") && attemptsOnTwo.incrementAndGet() <= 8) {
                if (self[0] != null) {
                    statesWhileFailing.add(self[0].state());
                }
                throw new IllegalStateException("projection store down");
            }
            handled.add(r.value());
        }, new SimpleMeterRegistry())) {
            self[0] = consumer;
            await().atMost(20, TimeUnit.SECONDS).until(() -> handled.size() == 3);
            assertEquals(List.of("one", "two", "three"), handled, "not skipped, and nothing after it went first");
            assertEquals(9, attemptsOnTwo.get());
            assertTrue(statesWhileFailing.contains(TopicConsumer.State.RETRYING_RECORD), statesWhileFailing.toString());
            await().atMost(5, TimeUnit.SECONDS).until(() -> consumer.state() == TopicConsumer.State.CONSUMING);
        }
    }

    @Test
    void underDeadLetterARecordThatKeepsFailingGoesToTheDeadLetterTopicWithItsOriginAndTheRestIsHandled()
            throws Exception {
        String topic = newTopic();
        String group = "dlq-" + UUID.randomUUID();
        List<String> handled = new CopyOnWriteArrayList<>();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        TopicConsumer.Options options = TopicConsumer.Options.of(group, List.of(topic), "earliest",
                TopicConsumer.OnFailure.DEAD_LETTER).backoff(FAST, FAST);
        String poison = "poison-" + UUID.randomUUID();
        try (TopicRecorder dead = TopicRecorder.open(bootstrap, Topic.DEAD_LETTERS.name())) {
            produce(topic, "a", poison, "b");
            try (TopicConsumer consumer = new TopicConsumer(Map.of("bootstrap.servers", bootstrap), options, r -> {
                if (r.value().equals(poison)) {
                    throw new IllegalArgumentException("cannot read");
                }
                handled.add(r.value());
            }, meters)) {
                await().atMost(20, TimeUnit.SECONDS).until(() -> handled.size() == 2);
                assertEquals(List.of("a", "b"), handled);
                ConsumerRecord<String, String> letter = dead.await(r -> r.value().equals(poison), Duration.ofSeconds(10));
                assertEquals(topic, header(letter, TopicConsumer.DLQ_TOPIC));
                assertEquals("1", header(letter, TopicConsumer.DLQ_OFFSET));
                assertEquals(group, header(letter, TopicConsumer.DLQ_GROUP));
                assertEquals(IllegalArgumentException.class.getName(), header(letter, TopicConsumer.DLQ_ERROR));
                assertEquals(1.0, meters.get("e2echat_consumer_dead_lettered").counter().count());
                assertEquals(5.0, meters.get("e2echat_consumer_handler_failures").counter().count());
            }
        }
    }

    /**
     * The consumer and its dead-letter producer are built from the whole Kafka configuration a
     * service has (TLS, SASL, ...), not just the bootstrap servers: in Kubernetes a client given
     * less cannot even connect.
     */
    @Test
    void theConsumerAndItsDeadLetterProducerAreGivenTheWholeKafkaConfiguration() throws Exception {
        String topic = newTopic();
        Map<String, String> security = Map.of("security.protocol", "PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512",
                "e2echat.probe", UUID.randomUUID().toString());
        Map<String, Object> config = new java.util.HashMap<>(security);
        config.put("bootstrap.servers", bootstrap);
        config.put("interceptor.classes", ConfigRecordingInterceptor.class.getName());
        TopicConsumer.Options options = TopicConsumer.Options.of("whole-config-" + UUID.randomUUID(), List.of(topic),
                "earliest", TopicConsumer.OnFailure.DEAD_LETTER).backoff(FAST, FAST);
        produce(topic, "unreadable");
        try (TopicConsumer consumer = new TopicConsumer(config, options, r -> {
            throw new IllegalArgumentException("cannot read");
        }, new SimpleMeterRegistry())) {
            await().atMost(20, TimeUnit.SECONDS).until(() -> ConfigRecordingInterceptor.saw("consumed", topic, security)
                    && ConfigRecordingInterceptor.saw("sent", Topic.DEAD_LETTERS.name(), security));
        }
    }

    @Test
    void aConsumerWithoutCommitsHandlesEverythingAndLeavesNoOffsetsBehind() throws Exception {
        String topic = newTopic();
        String group = "live-" + UUID.randomUUID();
        List<String> handled = new CopyOnWriteArrayList<>();
        TopicConsumer.Options options = TopicConsumer.Options.of(group, List.of(topic), "earliest",
                TopicConsumer.OnFailure.DEAD_LETTER).backoff(FAST, FAST).withoutCommits();
        produce(topic, "a", "b", "c");
        try (TopicConsumer consumer = new TopicConsumer(Map.of("bootstrap.servers", bootstrap), options, r -> handled.add(r.value()),
                new SimpleMeterRegistry())) {
            await().atMost(20, TimeUnit.SECONDS).until(() -> handled.size() == 3);
        }
        try (Admin admin = Admin.create(
                Map.of("bootstrap.servers", bootstrap))) {
            assertTrue(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .isEmpty(), "a fan-out group is never resumed, so it never waits for a commit");
        }
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private String newTopic() throws Exception {
        String topic = "consumer-test-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private void produce(String topic, String... values) throws Exception {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap, "acks", "all"),
                new StringSerializer(), new StringSerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (String v : values) {
                sent.add(producer.send(new ProducerRecord<>(topic, "k", v)));
            }
            for (var f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }
}
