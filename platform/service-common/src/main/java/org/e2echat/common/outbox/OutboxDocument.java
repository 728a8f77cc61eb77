package org.e2echat.common.outbox;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * One pending event as stored in a document's {@code outbox} array, and the queries a store needs
 * to find and clear them (shared by every service that keeps its events next to its data).
 */
public class OutboxDocument {

    /** Documents with at least one pending event; served by {@link #INDEX}. */
    public static final Document PENDING = new Document("outbox.eventId", new Document("$exists", true));
    /** A sparse index on pending event ids, so the relay's sweep does not scan the collection. */
    public static final Bson INDEX = Indexes.ascending("outbox.eventId");
    public static final IndexOptions INDEX_OPTIONS = new IndexOptions().sparse(true).name("outbox_pending");

    public String eventId;
    public String type;
    public String json;

    public static List<OutboxDocument> of(List<OutboxEvent> events) {
        List<OutboxDocument> list = new ArrayList<>();
        for (OutboxEvent e : events) {
            OutboxDocument d = new OutboxDocument();
            d.eventId = e.eventId();
            d.type = e.type();
            d.json = e.json();
            list.add(d);
        }
        return list;
    }

    public static List<OutboxEvent> events(List<OutboxDocument> docs) {
        List<OutboxEvent> events = new ArrayList<>();
        for (OutboxDocument d : docs == null ? List.<OutboxDocument>of() : docs) {
            events.add(new OutboxEvent(d.eventId, d.type, d.json));
        }
        return events;
    }

    /** The update that removes published events from a document's outbox. */
    public static Bson published(List<String> eventIds) {
        return Updates.pull("outbox", Filters.in("eventId", eventIds));
    }
}
