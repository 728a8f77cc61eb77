package org.e2echat.session.events;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.e2echat.common.outbox.OutboxPublisher;
import org.e2echat.contracts.Topic;
import org.e2echat.session.persistence.SessionMongoRepository;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Publishes the sessions' outbox events to {@code chat.sessions} (key = sessionId). */
@ApplicationScoped
public class SessionEventPublisher extends OutboxPublisher {

    protected SessionEventPublisher() {
    }

    @Inject
    public SessionEventPublisher(SessionMongoRepository sessions,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            @ConfigProperty(name = "e2echat.outbox.sweep-interval", defaultValue = "2s") Duration sweep) {
        super(Topic.SESSIONS.name(), sessions, kafkaConfig.get("bootstrap.servers"), sweep);
    }
}
