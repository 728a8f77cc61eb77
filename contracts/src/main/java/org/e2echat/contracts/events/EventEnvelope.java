package org.e2echat.contracts.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The envelope every Kafka event travels in: consumers dispatch on {@code type} and
 * {@code version} and dedupe on {@code eventId}. See {@code schemas/event-envelope.schema.json}.
 */
public record EventEnvelope<T>(UUID eventId, String type, int version, Instant occurredAt, T payload) {

    public EventEnvelope {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(payload, "payload");
        if (version < 1) {
            throw new IllegalArgumentException("event version starts at 1");
        }
    }

    /** A new envelope with a random id, stamped now. */
    public static <T> EventEnvelope<T> of(String type, int version, T payload) {
        return new EventEnvelope<>(UUID.randomUUID(), type, version, Instant.now(), payload);
    }
}
