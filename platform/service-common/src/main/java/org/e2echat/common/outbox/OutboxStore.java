package org.e2echat.common.outbox;

import io.smallrye.mutiny.Uni;
import java.util.List;

/** Where a service keeps events not yet published: inside the documents they are about. */
public interface OutboxStore {

    /** The events of one document, in the order they were written, and the record key to publish them under. */
    record Pending(String documentId, String recordKey, List<OutboxEvent> events) {
    }

    Uni<List<Pending>> pending(int limit);

    /** Removes published events from the document's outbox. */
    Uni<Void> remove(String documentId, List<String> eventIds);
}
