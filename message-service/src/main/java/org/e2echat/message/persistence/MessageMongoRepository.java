package org.e2echat.message.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.bson.Document;
import org.e2echat.common.outbox.OutboxEvent;
import org.e2echat.common.outbox.OutboxStore;
import org.e2echat.contracts.events.EventEnvelope;
import org.e2echat.contracts.events.MessageEvents;
import org.e2echat.message.domain.Message;
import org.e2echat.message.domain.MessageStore;

/**
 * {@link MessageStore} on MongoDB, with the three unique indexes that carry the rules: (session,
 * seq), (session, sender, client message id), (session, epoch, nonce). Also the outbox: messages
 * not yet marked published, oldest seq first per session.
 */
@ApplicationScoped
public class MessageMongoRepository
        implements ReactivePanacheMongoRepositoryBase<MessageDocument, String>, MessageStore, OutboxStore {

    private final ObjectMapper json;

    public MessageMongoRepository(ObjectMapper json) {
        this.json = json;
    }

    /** Creates the indexes explicitly; called once at startup. */
    public Uni<Void> createIndexes() {
        var c = mongoCollection();
        return c.createIndex(Indexes.ascending("sessionId", "seq"), new IndexOptions().unique(true).name("session_seq"))
                .flatMap(v -> c.createIndex(Indexes.ascending("sessionId", "senderId", "clientMessageId"),
                        new IndexOptions().unique(true).name("session_sender_client")))
                .flatMap(v -> c.createIndex(Indexes.ascending("sessionId", "epoch", "nonce"),
                        new IndexOptions().unique(true).name("session_epoch_nonce")))
                .flatMap(v -> c.createIndex(Indexes.ascending("serverTime"), new IndexOptions().name("outbox_pending")
                        .partialFilterExpression(Filters.eq("published", false))))
                .replaceWithVoid();
    }

    @Override
    public Uni<Long> maxSeq(String sessionId) {
        return find("sessionId", Sort.descending("seq"), sessionId).firstResult()
                .map(d -> d == null ? 0L : d.seq);
    }

    @Override
    public Uni<Boolean> insert(Message message) {
        return persist(MessageDocument.from(message)).map(d -> true)
                .onFailure(e -> e instanceof MongoWriteException w
                        && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY)
                .recoverWithItem(false);
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
     * fairly), sent in seq order within each session.
     */
    @Override
    public Uni<List<Pending>> pending(int limit) {
        return find("published", Sort.ascending("serverTime", "seq"), false).page(0, limit).list()
                .map(docs -> OutboxStore.each(docs.stream()
                        .sorted(Comparator.comparing((MessageDocument d) -> d.sessionId).thenComparingLong(d -> d.seq))
                        .toList(), d -> d.id, d -> new Pending(d.id, d.sessionId, List.of(event(d)))));
    }

    @Override
    public Uni<Void> remove(String messageId, List<String> eventIds) {
        return mongoCollection().updateOne(Filters.eq("_id", messageId), Updates.set("published", true))
                .replaceWithVoid();
    }

    @Override
    public Uni<Void> removeAll(List<Pending> published) {
        if (published.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return mongoCollection().updateMany(Filters.in("_id", published.stream().map(Pending::documentId).toList()),
                Updates.set("published", true)).replaceWithVoid();
    }

    @Override
    public Uni<Long> backlog() {
        return count("published", false);
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
