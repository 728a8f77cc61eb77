package org.e2echat.message.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.bson.Document;
import org.e2echat.common.outbox.OutboxEvent;
import org.e2echat.common.outbox.OutboxStore;
import org.e2echat.contracts.events.EventEnvelope;
import org.e2echat.contracts.events.MessageEvents;
import org.e2echat.message.domain.Message;
import org.e2echat.message.domain.MessageStore;

/**
 * {@link MessageStore} on MongoDB, with the three unique indexes that carry the rules: (session,
 * seq), (session, sender, client message id), (session, epoch, nonce). Also the outbox.
 *
 * <p>Every operation of the hot path reads by {@code _id} or by a whole unique index, never by a
 * scan, so its cost does not grow with the number of stored messages on MongoDB or on the
 * embedded server (which ignores non-unique and partial indexes): the next seq comes from a
 * per-session head ({@code message_heads}, {@code _id} = session), and what is still to be
 * published is a small collection of its own ({@code message_outbox}, one entry per message,
 * written before the message and deleted once the message is on Kafka). An entry whose message
 * never got stored (a crash between the two writes, a refused insert) is dropped by the relay.
 */
@ApplicationScoped
public class MessageMongoRepository
        implements ReactivePanacheMongoRepositoryBase<MessageDocument, String>, MessageStore, OutboxStore {

    static final String HEADS = "message_heads";
    static final String OUTBOX = "message_outbox";
    /** An outbox entry this old without its message belongs to an insert that never happened. */
    private static final Duration ORPHAN_AFTER = Duration.ofSeconds(60);

    private final ObjectMapper json;

    public MessageMongoRepository(ObjectMapper json) {
        this.json = json;
    }

    private ReactiveMongoCollection<Document> heads() {
        return mongoDatabase().getCollection(HEADS);
    }

    private ReactiveMongoCollection<Document> outbox() {
        return mongoDatabase().getCollection(OUTBOX);
    }

    /** Creates the indexes explicitly; called once at startup. */
    public Uni<Void> createIndexes() {
        var c = mongoCollection();
        return c.createIndex(Indexes.ascending("sessionId", "seq"), new IndexOptions().unique(true).name("session_seq"))
                .flatMap(v -> c.createIndex(Indexes.ascending("sessionId", "senderId", "clientMessageId"),
                        new IndexOptions().unique(true).name("session_sender_client")))
                .flatMap(v -> c.createIndex(Indexes.ascending("sessionId", "epoch", "nonce"),
                        new IndexOptions().unique(true).name("session_epoch_nonce")))
                .flatMap(v -> migrate())
                .replaceWithVoid();
    }

    /**
     * Brings data written before heads and the outbox collection existed up to date, once: a head
     * for every session, an outbox entry for every message still flagged unpublished. One pass
     * over the messages at startup, only while there are no heads yet.
     */
    private Uni<Void> migrate() {
        return heads().countDocuments().flatMap(known -> known > 0 ? Uni.createFrom().voidItem()
                : streamAll().collect().in(HashMap<String, Long>::new, (max, d) -> {
                    max.merge(d.sessionId, d.seq, Math::max);
                }).flatMap(max -> {
                    List<Uni<Void>> writes = new ArrayList<>();
                    max.forEach((session, seq) -> writes.add(raiseHead(session, seq)));
                    return writes.isEmpty() ? Uni.createFrom().voidItem()
                            : Uni.join().all(writes).andFailFast().replaceWithVoid();
                }).flatMap(v -> find("published", false).stream()
                        .onItem().transformToUniAndConcatenate(d -> outbox().replaceOne(Filters.eq("_id", d.id),
                                entry(d.toDomain()), new ReplaceOptions().upsert(true)))
                        .collect().last().replaceWithVoid())
                .flatMap(v -> mongoCollection().updateMany(Filters.eq("published", false),
                        Updates.unset("published")).replaceWithVoid()));
    }

    /** The session's head: the highest seq stored, by {@code _id}. */
    @Override
    public Uni<Long> maxSeq(String sessionId) {
        return heads().find(Filters.eq("_id", sessionId)).collect().first()
                .map(d -> d == null ? 0L : d.get("seq", Number.class).longValue());
    }

    private Uni<Void> raiseHead(String sessionId, long seq) {
        return heads().updateOne(Filters.eq("_id", sessionId), Updates.max("seq", seq), new UpdateOptions().upsert(true))
                .replaceWithVoid();
    }

    /**
     * Outbox entry first, then the message, then the head. A refused insert drops the entry; when
     * the refusal was the seq (the head lagged behind a stored message: a crash after an insert,
     * an older replica) the head is raised to it, so the caller's retry numbers past it.
     */
    @Override
    public Uni<Boolean> insert(Message message) {
        return outbox().replaceOne(Filters.eq("_id", message.messageId()), entry(message), new ReplaceOptions().upsert(true))
                .flatMap(v -> persist(MessageDocument.from(message)))
                .flatMap(d -> raiseHead(message.sessionId(), message.seq()).replaceWith(true))
                .onFailure(e -> e instanceof MongoWriteException w
                        && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY)
                .recoverWithUni(() -> outbox().deleteOne(Filters.eq("_id", message.messageId()))
                        .flatMap(v -> find("sessionId = ?1 and seq = ?2", message.sessionId(), message.seq()).firstResult())
                        .flatMap(taken -> taken == null ? Uni.createFrom().voidItem()
                                : raiseHead(message.sessionId(), message.seq()))
                        .replaceWith(false));
    }

    private static Document entry(Message m) {
        return new Document("_id", m.messageId()).append("sessionId", m.sessionId()).append("seq", m.seq())
                .append("serverTime", Date.from(m.serverTime())).append("createdAt", Date.from(Instant.now()));
    }

    @Override
    public Uni<Message> byClientId(String sessionId, String senderId, String clientMessageId) {
        return find("sessionId = ?1 and senderId = ?2 and clientMessageId = ?3", sessionId, senderId, clientMessageId)
                .firstResult().map(d -> d == null ? null : d.toDomain());
    }

    @Override
    public Uni<Boolean> nonceUsed(String sessionId, int epoch, String nonce) {
        return count("sessionId = ?1 and epoch = ?2 and nonce = ?3", sessionId, epoch, nonce).map(n -> n > 0);
    }

    @Override
    public Uni<List<Message>> page(String sessionId, Range range, Long after, Long before, int limit) {
        Document epoch = new Document("$gte", range.fromEpoch());
        if (range.toEpoch() != null) {
            epoch.append("$lte", range.toEpoch());
        }
        Document seq = new Document();
        if (range.toSeq() != null) {
            seq.append("$lte", range.toSeq());
        }
        if (after != null) {
            seq.append("$gt", after);
        }
        if (before != null) {
            seq.append("$lt", before);
        }
        Document query = new Document("sessionId", sessionId).append("epoch", epoch);
        if (!seq.isEmpty()) {
            query.append("seq", seq);
        }
        Document sort = new Document("seq", before != null ? -1 : 1);
        return find(query, sort).range(0, limit - 1).list()
                .map(docs -> docs.stream().map(MessageDocument::toDomain).toList());
    }

    /**
     * The oldest unpublished messages across sessions (first in, first out, so a backlog is served
     * fairly), sent in seq order within each session: the outbox entries, then their messages in
     * one read by {@code _id $in} (answered from the {@code _id} index by MongoDB and the embedded
     * server alike; one read per entry made a 500-entry batch 500 round trips, and the relay fell
     * seconds behind under load). Entries whose message is missing are skipped, and dropped once old.
     */
    @Override
    public Uni<List<Pending>> pending(int limit) {
        Instant orphaned = Instant.now().minus(ORPHAN_AFTER);
        return outbox().find(new Document(), new FindOptions()
                        .sort(Sorts.ascending("serverTime", "seq")).limit(limit)).collect().asList()
                .flatMap(entries -> entries.isEmpty() ? Uni.createFrom().item(List.<MessageDocument>of())
                        : find(new Document("_id", new Document("$in",
                                entries.stream().map(e -> e.getString("_id")).toList()))).list()
                                .flatMap(found -> dropOrphans(entries, found, orphaned).replaceWith(found)))
                .map(docs -> OutboxStore.each(docs.stream()
                        .sorted(Comparator.comparing((MessageDocument d) -> d.sessionId).thenComparingLong(d -> d.seq))
                        .toList(), d -> d.id, d -> new Pending(d.id, d.sessionId, List.of(event(d)))));
    }

    /** Deletes the entries created before {@code orphaned} whose message was not {@code found}. */
    private Uni<Void> dropOrphans(List<Document> entries, List<MessageDocument> found, Instant orphaned) {
        Set<String> stored = found.stream().map(d -> d.id).collect(Collectors.toSet());
        List<String> orphans = entries.stream()
                .filter(e -> !stored.contains(e.getString("_id")) && !e.getDate("createdAt").toInstant().isAfter(orphaned))
                .map(e -> e.getString("_id")).toList();
        return orphans.isEmpty() ? Uni.createFrom().voidItem()
                : outbox().deleteMany(Filters.in("_id", orphans)).replaceWithVoid();
    }

    @Override
    public Uni<Void> remove(String messageId, List<String> eventIds) {
        return outbox().deleteOne(Filters.eq("_id", messageId)).replaceWithVoid();
    }

    @Override
    public Uni<Void> removeAll(List<Pending> published) {
        if (published.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return outbox().deleteMany(Filters.in("_id", published.stream().map(Pending::documentId).toList()))
                .replaceWithVoid();
    }

    @Override
    public Uni<Long> backlog() {
        return outbox().countDocuments();
    }

    /** The event's id is the message id, so a republished message is recognisably the same event. */
    private OutboxEvent event(MessageDocument d) {
        Message m = d.toDomain();
        var payload = new MessageEvents.MessageStored(m.messageId(), m.sessionId(), m.seq(), m.epoch(), m.senderId(),
                m.senderUsername(), m.senderDisplayName(), m.senderKeyVersion(), m.suite(), m.clientMessageId(),
                m.nonce(), m.ciphertext(), m.signature(), m.clientTime(), m.serverTime(), m.recipients());
        var envelope = new EventEnvelope<>(UUID.fromString(m.messageId()), MessageEvents.MessageStored.TYPE,
                MessageEvents.VERSION, m.serverTime(), payload);
        try {
            return new OutboxEvent(m.messageId(), MessageEvents.MessageStored.TYPE, json.writeValueAsString(envelope));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode MessageStored", e);
        }
    }
}
