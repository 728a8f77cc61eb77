package org.e2echat.user.events;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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
import org.e2echat.contracts.Topic;
import org.e2echat.user.domain.OutboxEvent;
import org.e2echat.user.domain.User;
import org.e2echat.user.domain.UserStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes users' outbox events to {@code chat.users} (key = userId), in order, at least once:
 * woken after every change and sweeping periodically, so events written before a crash or while
 * Kafka was down go out once it is back. Runs on its own single thread, never on the event loop.
 */
@ApplicationScoped
public class UserEventRelay implements Runnable {

    private static final Logger LOG = Logger.getLogger(UserEventRelay.class);
    private static final int BATCH = 100;

    private final UserStore users;
    private final Map<String, Object> kafkaConfig;
    private final Duration sweep;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private ScheduledExecutorService executor;
    private KafkaProducer<String, String> producer;

    public UserEventRelay(UserStore users, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            @ConfigProperty(name = "e2echat.outbox.sweep-interval", defaultValue = "2s") Duration sweep) {
        this.users = users;
        this.kafkaConfig = kafkaConfig;
        this.sweep = sweep;
    }

    void start(@Observes StartupEvent event) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaConfig.get("bootstrap.servers"));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "user-event-relay"));
        executor.scheduleWithFixedDelay(this, sweep.toMillis(), sweep.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Asks for a publish pass soon (coalesced). */
    public void wake() {
        if (executor != null && scheduled.compareAndSet(false, true)) {
            executor.execute(() -> {
                scheduled.set(false);
                run();
            });
        }
    }

    @Override
    public void run() {
        try {
            List<User> pending = users.withPendingEvents(BATCH).await().atMost(Duration.ofSeconds(10));
            for (User user : pending) {
                List<String> sent = new ArrayList<>();
                for (OutboxEvent e : user.outbox()) {
                    producer.send(new ProducerRecord<>(Topic.USERS.name(), user.id(), e.json())).get(30, TimeUnit.SECONDS);
                    sent.add(e.eventId());
                }
                users.removeFromOutbox(user.id(), sent).await().atMost(Duration.ofSeconds(10));
                LOG.debugf("published %d event(s) for user %s", sent.size(), user.id());
            }
        } catch (Exception e) {
            LOG.warnf("publishing to %s failed (%s); will retry", Topic.USERS.name(), e.getClass().getSimpleName());
        }
    }
}
