package org.e2echat.user.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.e2echat.common.outbox.OutboxPublisher;
import org.e2echat.contracts.Topic;
import org.e2echat.user.persistence.UserMongoRepository;

/** Publishes the users' outbox events to {@code chat.users} (key = userId). */
@ApplicationScoped
public class UserEventRelay extends OutboxPublisher {

    protected UserEventRelay() {
    }

    @Inject
    public UserEventRelay(UserMongoRepository users) {
        super(Topic.USERS, users);
    }
}
