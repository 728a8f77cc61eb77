package org.e2echat.common.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import org.e2echat.contracts.events.EventEnvelope;

/** Wraps a payload in an {@link EventEnvelope} and writes the JSON that goes on the topic. */
@ApplicationScoped
public class EventJson {

    private final ObjectMapper json;

    public EventJson(ObjectMapper json) {
        this.json = json;
    }

    public OutboxEvent encode(String type, int version, Object payload) {
        EventEnvelope<Object> envelope = EventEnvelope.of(type, version, payload);
        try {
            return new OutboxEvent(envelope.eventId().toString(), type, json.writeValueAsString(envelope));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode event " + type, e);
        }
    }
}
