package org.e2echat.common.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.e2echat.contracts.Topic;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Base of each service's publisher bean: runs an {@link OutboxRelay} for one topic from startup
 * to shutdown, leased so that one replica of the service publishes at a time. A service subclasses
 * it as an {@code @ApplicationScoped} bean naming its topic and store, and calls {@link #wake()}
 * after every write that appends events.
 */
public abstract class OutboxPublisher {

    @Inject
    protected ReactiveMongoClient mongo;
    @Inject
    protected MeterRegistry registry;
    @Inject
    @Identifier("default-kafka-broker")
    protected Map<String, Object> kafkaConfig;
    @ConfigProperty(name = "quarkus.mongodb.database")
    protected String database;
    @ConfigProperty(name = "e2echat.outbox.sweep-interval", defaultValue = "2s")
    protected Duration sweep;
    @ConfigProperty(name = "e2echat.outbox.lease-ttl", defaultValue = "6s")
    protected Duration leaseTtl;
    @ConfigProperty(name = "e2echat.outbox.doorbell-interval", defaultValue = "25ms")
    protected Duration doorbellInterval;
    @ConfigProperty(name = "e2echat.outbox.batch-size", defaultValue = "500")
    protected int batchSize;

    private Topic topic;
    private OutboxStore store;
    private volatile OutboxRelay relay;

    /** For the CDI client proxy only. */
    protected OutboxPublisher() {
    }

    protected OutboxPublisher(Topic topic, OutboxStore store) {
        this.topic = topic;
        this.store = store;
    }

    public void start(@Observes StartupEvent event) {
        OutboxLease lease = new OutboxLease(mongo.getDatabase(database).getCollection("outbox_leases"),
                topic.name(), UUID.randomUUID().toString());
        relay = new OutboxRelay(topic.name(), store, lease, kafkaConfig,
                new OutboxRelay.Settings(sweep, leaseTtl, doorbellInterval, batchSize), registry);
    }

    public void stop(@Observes ShutdownEvent event) {
        OutboxRelay r = relay;
        if (r != null) {
            r.close();
        }
    }

    /** Asks for a publish pass soon: here if this replica publishes, else by ringing the publisher. */
    public void wake() {
        OutboxRelay r = relay;
        if (r != null) {
            r.wake();
        }
    }

    /** The running relay (for health and tests), or {@code null} before startup. */
    public OutboxRelay relay() {
        return relay;
    }
}
