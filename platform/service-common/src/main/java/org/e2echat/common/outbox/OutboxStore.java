package org.e2echat.common.outbox;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Where a service keeps events not yet published: inside the documents they are about. */
public interface OutboxStore {

    /**
     * The events of one document, in the order they were written, and the record key to publish
     * them under; or, when the document could not be read into events, why ({@code unreadable}),
     * so that one bad document is skipped and counted instead of stopping the relay.
     */
    record Pending(String documentId, String recordKey, List<OutboxEvent> events, String unreadable) {

        public Pending(String documentId, String recordKey, List<OutboxEvent> events) {
            this(documentId, recordKey, events, null);
        }
    }

    /**
     * Up to {@code limit} documents with pending events, oldest first across aggregates (so a
     * backlog is served fairly), each aggregate's events in the order they must be published.
     */
    Uni<List<Pending>> pending(int limit);

    /** Removes published events from the document's outbox. */
    Uni<Void> remove(String documentId, List<String> eventIds);

    /** Marks a whole batch published; stores that can do it in one write override this. */
    default Uni<Void> removeAll(List<Pending> published) {
        if (published.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> each = new ArrayList<>();
        for (Pending p : published) {
            each.add(remove(p.documentId(), p.events().stream().map(OutboxEvent::eventId).toList()));
        }
        return Uni.join().all(each).andFailFast().replaceWithVoid();
    }

    /** How many documents have events waiting. */
    Uni<Long> backlog();

    /** Reads each document into its pending events, isolating a document that cannot be read. */
    static <D> List<Pending> each(List<D> docs, Function<D, String> id, Function<D, Pending> read) {
        List<Pending> out = new ArrayList<>(docs.size());
        for (D d : docs) {
            try {
                out.add(read.apply(d));
            } catch (RuntimeException e) {
                out.add(new Pending(id.apply(d), null, List.of(), e.getClass().getSimpleName()));
            }
        }
        return out;
    }
}
