package org.e2echat.common.outbox;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Publishes outbox events to one topic, at least once, from one replica at a time.
 *
 * <p>Only the holder of the topic's {@link OutboxLease} publishes, so two replicas never publish
 * one aggregate's events concurrently (which could reorder them) and duplicates are limited to
 * the crash window. The holder renews the lease at a third of its time to live and publishes only
 * while it has a margin left; a replica that loses it (paused, partitioned) stops. Other replicas
 * ring the lease's doorbell after each write, and the holder watches it, so a write on any replica
 * is published within a few tens of milliseconds; a periodic sweep catches anything else (events
 * written before a crash, or while Kafka was away).
 *
 * <p>A pass drains the backlog in batches, oldest first across aggregates (fair under a backlog),
 * sending each batch asynchronously (idempotent producer, acks=all) and marking a document
 * published only when all its events were acknowledged. A document that cannot be read is
 * skipped and counted; a failed send leaves its document pending for the next pass. Nothing a
 * pass throws, {@link Error}s included, stops the relay.
 */
public final class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(35);

    /** Timing and size: sweep interval, lease time to live, doorbell polling interval, batch size. */
    public record Settings(Duration sweep, Duration leaseTtl, Duration doorbellInterval, int batchSize) {
    }

    private final String topic;
    private final OutboxStore store;
    private final OutboxLease lease;
    private final Settings settings;
    private final KafkaProducer<String, String> producer;
    private final KafkaClientMetrics producerMetrics;
    private final ScheduledExecutorService executor;
    private final ScheduledExecutorService leaseKeeper;
    private final AtomicBoolean passRequested = new AtomicBoolean();
    private final AtomicBoolean ringing = new AtomicBoolean();
    private final AtomicBoolean ringAgain = new AtomicBoolean();
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestPendingMillis = new AtomicLong();
    private final Counter published;
    private final Counter sendFailures;
    private final Counter unreadable;
    private final Counter passFailures;
    private volatile boolean leader;
    private volatile Instant leaseValidUntil = Instant.EPOCH;
    private volatile Instant nextSweep = Instant.EPOCH;
    private long lastDoorbell = -1;

    public OutboxRelay(String topic, OutboxStore store, OutboxLease lease, Map<String, Object> kafkaConfig,
            Settings settings, MeterRegistry registry) {
        this.topic = topic;
        this.store = store;
        this.lease = lease;
        this.settings = settings;
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 2);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        Tags tags = Tags.of("topic", topic);
        this.published = Counter.builder("e2echat_outbox_published").description("Events published by this replica")
                .tags(tags).register(registry);
        this.sendFailures = Counter.builder("e2echat_outbox_send_failures")
                .description("Events whose send failed (left pending, retried)").tags(tags).register(registry);
        this.unreadable = Counter.builder("e2echat_outbox_unreadable")
                .description("Pending documents skipped because they could not be read into events")
                .tags(tags).register(registry);
        this.passFailures = Counter.builder("e2echat_outbox_pass_failures")
                .description("Publish passes that ended in an error (retried)").tags(tags).register(registry);
        Gauge.builder("e2echat_outbox_leader", this, r -> r.leader ? 1 : 0)
                .description("1 on the replica that publishes this topic").tags(tags).register(registry);
        Gauge.builder("e2echat_outbox_backlog", backlog, AtomicLong::get)
                .description("Documents with events not yet published (as seen by the publishing replica)")
                .tags(tags).register(registry);
        Gauge.builder("e2echat_outbox_backlog_age_seconds", this, OutboxRelay::backlogAgeSeconds)
                .description("Age of the oldest event not yet published (publishing replica)").tags(tags)
                .register(registry);
        this.producerMetrics = new KafkaClientMetrics(producer, Tags.of("topic", topic));
        producerMetrics.bindTo(registry);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "outbox-" + topic));
        this.leaseKeeper = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "outbox-lease-" + topic));
        // The lease is kept on a thread of its own, so a pass waiting on Kafka does not lose it.
        leaseKeeper.schedule(this::keepLease, 0, TimeUnit.MILLISECONDS);
        long tick = settings.doorbellInterval().toMillis();
        executor.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Asks for a publish pass soon: now if this replica publishes, otherwise by ringing the doorbell. */
    public void wake() {
        if (leader) {
            if (passRequested.compareAndSet(false, true)) {
                try {
                    executor.execute(this::tick);
                } catch (RejectedExecutionException e) {
                    passRequested.set(false);
                }
            }
            return;
        }
        ring();
    }

    private void ring() {
        if (!ringing.compareAndSet(false, true)) {
            ringAgain.set(true);
            return;
        }
        ringAgain.set(false);
        lease.ring().subscribe().with(v -> ringDone(), e -> ringDone());
    }

    private void ringDone() {
        ringing.set(false);
        if (ringAgain.getAndSet(false)) {
            ring();
        }
    }

    /** One step of the relay's loop; never throws. */
    private void tick() {
        try {
            Instant now = Instant.now();
            if (!leader) {
                return;
            }
            boolean due = passRequested.getAndSet(false) || !now.isBefore(nextSweep);
            long bell = lease.doorbell().await().atMost(STORE_TIMEOUT);
            if (bell != lastDoorbell) {
                lastDoorbell = bell;
                due = true;
            }
            if (due) {
                pass();
                if (!now.isBefore(nextSweep)) {
                    nextSweep = now.plus(settings.sweep());
                    backlog.set(store.backlog().await().atMost(STORE_TIMEOUT));
                }
            }
        } catch (Throwable e) {
            passFailures.increment();
            LOG.warnf("publishing to %s failed (%s); will retry", topic, e.getClass().getSimpleName());
            nextSweep = Instant.now().plus(settings.sweep());
        }
    }

    /** Takes or renews the lease, then schedules itself again: soon when held, a little later when not. */
    private void keepLease() {
        Duration next = settings.leaseTtl().dividedBy(5);
        try {
            next = renew(Instant.now()) ? settings.leaseTtl().dividedBy(3) : next;
        } catch (Throwable e) {
            LOG.debugf("keeping the %s lease failed: %s", topic, e.getClass().getSimpleName());
        } finally {
            try {
                leaseKeeper.schedule(this::keepLease, next.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    private boolean renew(Instant now) {
        boolean held;
        try {
            held = lease.acquire(now, settings.leaseTtl()).await().atMost(STORE_TIMEOUT);
        } catch (RuntimeException e) {
            held = false;
            LOG.debugf("cannot renew the %s publishing lease: %s", topic, e.getClass().getSimpleName());
        }
        if (held) {
            leaseValidUntil = now.plus(settings.leaseTtl());
            if (!leader) {
                LOG.infof("this replica now publishes %s", topic);
                nextSweep = now;
            }
        } else {
            if (leader) {
                LOG.infof("this replica no longer publishes %s", topic);
            }
            leaseValidUntil = Instant.EPOCH;
            backlog.set(0);
            oldestPendingMillis.set(0);
        }
        leader = held;
        if (held) {
            wake();
        }
        return held;
    }

    /** True while the lease has enough time left to finish a batch before anyone else could take it. */
    private boolean mayPublish() {
        return leader && Instant.now().plus(settings.leaseTtl().dividedBy(3)).isBefore(leaseValidUntil);
    }

    /** Drains the backlog batch by batch while the lease allows. */
    private void pass() throws Exception {
        while (mayPublish()) {
            List<OutboxStore.Pending> batch = store.pending(settings.batchSize()).await().atMost(STORE_TIMEOUT);
            oldestPendingMillis.set(oldest(batch));
            if (batch.isEmpty()) {
                backlog.set(0);
                return;
            }
            int failed = publish(batch);
            if (failed > 0 || batch.size() < settings.batchSize()) {
                return;
            }
        }
    }

    /** Sends one batch asynchronously and marks what was acknowledged; returns how many documents failed. */
    private int publish(List<OutboxStore.Pending> batch) throws Exception {
        List<OutboxStore.Pending> sendable = new ArrayList<>(batch.size());
        List<CompletableFuture<Void>> acks = new ArrayList<>(batch.size());
        for (OutboxStore.Pending p : batch) {
            // Stop issuing sends once one has failed (Kafka unreachable: each further send could
            // block for max.block.ms) or the lease is running out.
            if (acks.stream().anyMatch(CompletableFuture::isCompletedExceptionally) || !mayPublish()) {
                break;
            }
            if (p.unreadable() != null) {
                unreadable.increment();
                LOG.errorf("skipping outbox document %s of %s: cannot be read (%s)", p.documentId(), topic,
                        p.unreadable());
                continue;
            }
            List<CompletableFuture<Void>> events = new ArrayList<>(p.events().size());
            for (OutboxEvent e : p.events()) {
                CompletableFuture<Void> ack = new CompletableFuture<>();
                producer.send(new ProducerRecord<>(topic, p.recordKey(), e.json()), (metadata, error) -> {
                    if (error == null) {
                        ack.complete(null);
                    } else {
                        ack.completeExceptionally(error);
                    }
                });
                events.add(ack);
            }
            sendable.add(p);
            acks.add(CompletableFuture.allOf(events.toArray(CompletableFuture[]::new)));
        }
        List<OutboxStore.Pending> done = new ArrayList<>(sendable.size());
        int failed = 0;
        for (int i = 0; i < sendable.size(); i++) {
            try {
                acks.get(i).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                done.add(sendable.get(i));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                failed++;
            }
        }
        if (failed > 0) {
            sendFailures.increment(failed);
            LOG.warnf("%d of %d outbox document(s) not acknowledged by %s; they stay pending", failed,
                    sendable.size(), topic);
        }
        store.removeAll(done).await().atMost(STORE_TIMEOUT);
        published.increment(done.stream().mapToInt(p -> p.events().size()).sum());
        LOG.debugf("published %d document(s) to %s", done.size(), topic);
        return failed;
    }

    /** Epoch millis of the oldest event in the batch (its envelope's occurredAt), or 0 when none. */
    private static long oldest(List<OutboxStore.Pending> batch) {
        long oldest = 0;
        for (OutboxStore.Pending p : batch) {
            if (!p.events().isEmpty()) {
                long millis = occurredAt(p.events().get(0).json());
                oldest = oldest == 0 || (millis != 0 && millis < oldest) ? millis : oldest;
            }
        }
        return oldest;
    }

    /**
     * The envelope's top-level {@code occurredAt}, read by streaming up to it (it precedes the
     * payload, so ciphertext is never parsed for a gauge), or 0 when it cannot be read.
     */
    private static long occurredAt(String json) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return 0;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("occurredAt".equals(field)) {
                    return value == JsonToken.VALUE_STRING ? Instant.parse(parser.getText()).toEpochMilli()
                            : (long) (parser.getDoubleValue() * 1000);
                }
                parser.skipChildren();
            }
        } catch (IOException | RuntimeException e) {
            // an event without a readable time does not make the backlog older
        }
        return 0;
    }

    private double backlogAgeSeconds() {
        long oldest = oldestPendingMillis.get();
        return oldest == 0 ? 0 : Math.max(0, (System.currentTimeMillis() - oldest) / 1000.0);
    }

    /** True on the replica that holds the lease and publishes. */
    public boolean leader() {
        return leader;
    }

    public void close() {
        leaseKeeper.shutdownNow();
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (leader) {
            try {
                lease.release().await().atMost(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                // it expires by itself
            }
        }
        producerMetrics.close();
        producer.close(Duration.ofSeconds(5));
    }
}
