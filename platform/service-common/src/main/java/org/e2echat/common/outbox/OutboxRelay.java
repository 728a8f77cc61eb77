package org.e2echat.common.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Publishes outbox events to one topic, in order per document, at least once: woken after every
 * change and sweeping periodically, so events written before a crash or while Kafka was down go
 * out once it is back. Runs on its own single thread, never on the event loop. Producer:
 * idempotence on, acks=all, linger.ms=5.
 */
public final class OutboxRelay implements Runnable {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 100;

    private final String topic;
    private final OutboxStore store;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ScheduledExecutorService executor;
    private final KafkaProducer<String, String> producer;

    public OutboxRelay(String topic, OutboxStore store, Object bootstrapServers, Duration sweep) {
        this.topic = topic;
        this.store = store;
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "outbox-" + topic));
        executor.scheduleWithFixedDelay(this, sweep.toMillis(), sweep.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a publish pass soon (coalesced). */
    public void wake() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    scheduled.set(false);
                    run();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scheduled.set(false);
            }
        }
    }

    @Override
    public void run() {
        try {
            List<OutboxStore.Pending> pending = store.pending(BATCH).await().atMost(Duration.ofSeconds(10));
            for (OutboxStore.Pending p : pending) {
                List<String> sent = new ArrayList<>();
                for (OutboxEvent e : p.events()) {
                    producer.send(new ProducerRecord<>(topic, p.recordKey(), e.json())).get(30, TimeUnit.SECONDS);
                    sent.add(e.eventId());
                }
                store.remove(p.documentId(), sent).await().atMost(Duration.ofSeconds(10));
                LOG.debugf("published %d event(s) of %s to %s", sent.size(), p.documentId(), topic);
            }
        } catch (Exception e) {
            LOG.warnf("publishing to %s failed (%s); will retry", topic, e.getClass().getSimpleName());
        }
    }

    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
