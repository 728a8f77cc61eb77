package org.e2echat.user.events;

import jakarta.enterprise.context.ApplicationScoped;
import org.e2echat.common.outbox.EventJson;
import org.e2echat.common.outbox.OutboxEvent;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.user.domain.EventEncoder;

/** Encodes {@code chat.users} payloads (version {@link UserEvents#VERSION}) for the outbox. */
@ApplicationScoped
public class JsonEventEncoder implements EventEncoder {

    private final EventJson json;

    public JsonEventEncoder(EventJson json) {
        this.json = json;
    }

    @Override
    public OutboxEvent encode(String type, Object payload) {
        return json.encode(type, UserEvents.VERSION, payload);
    }
}
