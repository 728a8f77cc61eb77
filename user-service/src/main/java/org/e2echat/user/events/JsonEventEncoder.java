package org.e2echat.user.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import org.e2echat.contracts.events.EventEnvelope;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.user.domain.EventEncoder;
import org.e2echat.user.domain.OutboxEvent;

/** Wraps a payload in an {@link EventEnvelope} and writes it as the JSON that goes on the topic. */
@ApplicationScoped
public class JsonEventEncoder implements EventEncoder {

    private final ObjectMapper json;

    public JsonEventEncoder(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public OutboxEvent encode(String type, Object payload) {
        EventEnvelope<Object> envelope = EventEnvelope.of(type, UserEvents.VERSION, payload);
        try {
            return new OutboxEvent(envelope.eventId().toString(), type, json.writeValueAsString(envelope));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode event " + type, e);
        }
    }
}
