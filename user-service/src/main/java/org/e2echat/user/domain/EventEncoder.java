package org.e2echat.user.domain;

import org.e2echat.common.outbox.OutboxEvent;

/** Port that turns an event payload into the JSON of its envelope, for the outbox. */
public interface EventEncoder {

    OutboxEvent encode(String type, Object payload);
}
