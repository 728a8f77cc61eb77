package org.e2echat.user.events;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.e2echat.common.outbox.OutboxPublisher;
import org.e2echat.contracts.Topic;
import org.e2echat.user.persistence.UserMongoRepository;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Publishes the users' outbox events to {@code chat.users} (key = userId). */
@ApplicationScoped
public class UserEventRelay extends OutboxPublisher {

    protected UserEventRelay() {
    }

    @Inject
    public UserEventRelay(UserMongoRepository users, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            @ConfigProperty(name = "e2echat.outbox.sweep-interval", defaultValue = "2s") Duration sweep) {
        super(Topic.USERS.name(), users, kafkaConfig.get("bootstrap.servers"), sweep);
    }
}
