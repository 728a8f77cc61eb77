package org.e2echat.user.events;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import org.e2echat.common.outbox.OutboxRelay;
import org.e2echat.contracts.Topic;
import org.e2echat.user.persistence.UserMongoRepository;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Publishes the users' outbox events to {@code chat.users} (key = userId). */
@ApplicationScoped
public class UserEventRelay {

    private final UserMongoRepository users;
    private final Map<String, Object> kafkaConfig;
    private final Duration sweep;
    private volatile OutboxRelay relay;

    public UserEventRelay(UserMongoRepository users, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            @ConfigProperty(name = "e2echat.outbox.sweep-interval", defaultValue = "2s") Duration sweep) {
        this.users = users;
        this.kafkaConfig = kafkaConfig;
        this.sweep = sweep;
    }

    void start(@Observes StartupEvent event) {
        relay = new OutboxRelay(Topic.USERS.name(), users, kafkaConfig.get("bootstrap.servers"), sweep);
    }

    void stop(@Observes ShutdownEvent event) {
        if (relay != null) {
            relay.close();
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
