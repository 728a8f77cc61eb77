package org.e2echat.common.outbox;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import java.time.Duration;

/**
 * Base of each service's publisher bean: runs an {@link OutboxRelay} for one topic from startup
 * to shutdown. A service subclasses it as an {@code @ApplicationScoped} bean naming its topic and
 * store, and calls {@link #wake()} after every write that appends events.
 */
public abstract class OutboxPublisher {

    private String topic;
    private OutboxStore store;
    private Object bootstrapServers;
    private Duration sweep;
    private volatile OutboxRelay relay;

    /** For the CDI client proxy only. */
    protected OutboxPublisher() {
    }

    protected OutboxPublisher(String topic, OutboxStore store, Object bootstrapServers, Duration sweep) {
        this.topic = topic;
        this.store = store;
        this.bootstrapServers = bootstrapServers;
        this.sweep = sweep;
    }

    public void start(@Observes StartupEvent event) {
        relay = new OutboxRelay(topic, store, bootstrapServers, sweep);
    }

    public void stop(@Observes ShutdownEvent event) {
        OutboxRelay r = relay;
        if (r != null) {
            r.close();
        }
    }

    /** Asks for a publish pass soon. */
    public void wake() {
        OutboxRelay r = relay;
        if (r != null) {
            r.wake();
        }
    }
}
