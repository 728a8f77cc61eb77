package org.e2echat.bench;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A plain Kafka consumer in the bench reading the same topic as the gateway, with the same
 * client settings (read committed, no auto commit): the broker's own share of the gateway's
 * latency, intended send time → record in hand, so the report can say what the gateway adds.
 */
final class KafkaProbe implements AutoCloseable {

    private static final String KEY_FIELD = "\"clientMessageId\":\"";

    private final AtomicReference<Tracker> tracker = new AtomicReference<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile boolean assigned;

    KafkaProbe(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-probe-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        thread = new Thread(() -> {
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
                c.subscribe(List.of(topic), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(java.util.Collection<org.apache.kafka.common.TopicPartition> parts) {
                    }

                    @Override
                    public void onPartitionsAssigned(java.util.Collection<org.apache.kafka.common.TopicPartition> parts) {
                        parts.forEach(c::position);
                        assigned = true;
                    }
                });
                while (running.get()) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        Tracker t = tracker.get();
                        int at = r.value().indexOf(KEY_FIELD);
                        if (t != null && at >= 0) {
                            int start = at + KEY_FIELD.length();
                            t.received(r.value().substring(start, r.value().indexOf('"', start)), 0, now);
                        }
                    }
                }
            }
        }, "bench-kafka-probe");
        thread.setDaemon(true);
        thread.start();
    }

    boolean assigned() {
        return assigned;
    }

    void track(Tracker t) {
        tracker.set(t);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5000);
    }
}
