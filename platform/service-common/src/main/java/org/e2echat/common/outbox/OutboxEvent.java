package org.e2echat.common.outbox;

/**
 * An event waiting to be published, stored inside the document it is about so that the change and
 * its event are written in one atomic document update (no transactions needed).
 */
public record OutboxEvent(String eventId, String type, String json) {
}
