package org.e2echat.message.events;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.e2echat.common.outbox.OutboxPublisher;
import org.e2echat.contracts.Topic;
import org.e2echat.message.persistence.MessageMongoRepository;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Publishes stored messages to {@code chat.messages} (key = sessionId), at least once, in seq order per session. */
@ApplicationScoped
public class MessagePublisher extends OutboxPublisher {

    protected MessagePublisher() {
    }

    @Inject
    public MessagePublisher(MessageMongoRepository messages,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            @ConfigProperty(name = "e2echat.outbox.sweep-interval", defaultValue = "2s") Duration sweep) {
        super(Topic.MESSAGES.name(), messages, kafkaConfig.get("bootstrap.servers"), sweep);
    }
}
