package org.e2echat.message.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.e2echat.common.outbox.OutboxPublisher;
import org.e2echat.contracts.Topic;
import org.e2echat.message.persistence.MessageMongoRepository;

/** Publishes stored messages to {@code chat.messages} (key = sessionId), at least once, in seq order per session. */
@ApplicationScoped
public class MessagePublisher extends OutboxPublisher {

    protected MessagePublisher() {
    }

    @Inject
    public MessagePublisher(MessageMongoRepository messages) {
        super(Topic.MESSAGES, messages);
    }
}
