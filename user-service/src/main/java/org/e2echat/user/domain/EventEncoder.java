package org.e2echat.user.domain;

/** Port that turns an event payload into the JSON of its envelope, for the outbox. */
public interface EventEncoder {

    OutboxEvent encode(String type, Object payload);
}
