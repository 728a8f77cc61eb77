package org.e2echat.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/**
 * Records what is published to a topic from the moment it is opened, so a test can act and then
 * wait for the event it expects (and check what else arrived). Close it when done.
 */
public final class TopicRecorder implements AutoCloseable {

    private final List<ConsumerRecord<String, String>> records = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread poller;

    private TopicRecorder(KafkaConsumer<String, String> consumer) {
        this.poller = new Thread(() -> {
            try (consumer) {
                while (running.get()) {
                    consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                }
            }
        }, "topic-recorder");
        poller.setDaemon(true);
        poller.start();
    }

    /** Starts recording {@code topic} at its current end, on every partition. */
    public static TopicRecorder open(String bootstrapServers, String topic) {
        return open(bootstrapServers, topic, false);
    }

    /** Records {@code topic} from its beginning (everything still retained), on every partition. */
    public static TopicRecorder fromBeginning(String bootstrapServers, String topic) {
        return open(bootstrapServers, topic, true);
    }

    private static TopicRecorder open(String bootstrapServers, String topic, boolean fromBeginning) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "recorder-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
        return new TopicRecorder(consumer);
    }

    /** Waits until a record matches, and returns it. */
    public ConsumerRecord<String, String> await(Predicate<ConsumerRecord<String, String>> match, Duration timeout) {
        return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50))
                .until(() -> find(match), Optional::isPresent).orElseThrow();
    }

    public Optional<ConsumerRecord<String, String>> find(Predicate<ConsumerRecord<String, String>> match) {
        return records.stream().filter(match).findFirst();
    }

    /** Every record so far that matches, in the order received. */
    public List<ConsumerRecord<String, String>> all(Predicate<ConsumerRecord<String, String>> match) {
        return records.stream().filter(match).toList();
    }

    @Override
    public void close() {
        running.set(false);
        try {
            poller.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
