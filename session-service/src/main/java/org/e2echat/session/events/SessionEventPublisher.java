package org.e2echat.session.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.e2echat.common.outbox.OutboxPublisher;
import org.e2echat.contracts.Topic;
import org.e2echat.session.persistence.SessionMongoRepository;

/** Publishes the sessions' outbox events to {@code chat.sessions} (key = sessionId). */
@ApplicationScoped
public class SessionEventPublisher extends OutboxPublisher {

    protected SessionEventPublisher() {
    }

    @Inject
    public SessionEventPublisher(SessionMongoRepository sessions) {
        super(Topic.SESSIONS, sessions);
    }
}
