package org.e2echat.common.events;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * A consumer loop on its own thread: polls, hands each record to the handler in partition order,
 * and commits after the batch (at-least-once; handlers must tolerate redelivery). A record whose
 * handler fails is logged by id and skipped after a few retries, so one poison record cannot stall
 * a partition forever.
 */
public final class TopicConsumer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TopicConsumer.class);
    private static final int ATTEMPTS = 3;

    private final KafkaConsumer<String, String> consumer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean assigned = new AtomicBoolean();
    private final Thread thread;

    /**
     * @param offsetReset {@code earliest} for projections that must see everything, {@code latest}
     *     for live fan-out
     */
    public TopicConsumer(Object bootstrapServers, String groupId, List<String> topics, String offsetReset,
            Consumer<ConsumerRecord<String, String>> handler) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        this.thread = new Thread(() -> loop(topics, handler), "consumer-" + String.join(",", topics));
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(List<String> topics, Consumer<ConsumerRecord<String, String>> handler) {
        try {
            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // nothing to flush: offsets are committed after every batch
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // Fix each starting offset now (committed, or per offsetReset), so that
                    // "assigned" means every record written from here on will be consumed.
                    partitions.forEach(consumer::position);
                    assigned.set(true);
                }
            });
            while (running.get()) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, String> record : records) {
                    handle(record, handler);
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf("consumer of %s stopped: %s", topics, e.getClass().getName());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static void handle(ConsumerRecord<String, String> record, Consumer<ConsumerRecord<String, String>> handler) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                handler.accept(record);
                return;
            } catch (RuntimeException e) {
                if (attempt == ATTEMPTS) {
                    LOG.errorf("skipping %s-%d@%d after %d failures: %s", record.topic(), record.partition(),
                            record.offset(), ATTEMPTS, e.getClass().getName());
                }
            }
        }
    }

    /**
     * True once the group has assigned partitions and their starting offsets are fixed: every
     * record written from then on reaches the handler.
     */
    public boolean assigned() {
        return assigned.get() && running.get();
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
