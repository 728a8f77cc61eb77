package org.e2echat.session.persistence;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.quarkus.mongodb.panache.common.MongoEntity;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.bson.Document;
import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.conversions.Bson;
import org.e2echat.common.outbox.OutboxDocument;
import org.e2echat.common.outbox.OutboxStore;
import org.e2echat.session.domain.Session;
import org.e2echat.session.domain.Stores.SessionExists;
import org.e2echat.session.domain.Stores.SessionStore;

/** {@link SessionStore} and its outbox on MongoDB. */
@ApplicationScoped
public class SessionMongoRepository
        implements ReactivePanacheMongoRepositoryBase<SessionDocument, String>, SessionStore, OutboxStore {

    /** The one direct session of a pair of users; its id is the sorted pair. */
    @MongoEntity(collection = "direct_pairs")
    public static class DirectPairDocument {
        @BsonId
        public String pair;
        public String sessionId;
    }

    /** Creates the indexes queries rely on (a real MongoDB uses them; the embedded server scans). */
    public Uni<Void> createIndexes() {
        return mongoCollection().createIndex(Indexes.compoundIndex(Indexes.ascending("members.userId"),
                Indexes.descending("lastActivityAt")))
                .flatMap(v -> mongoCollection().createIndex(Indexes.ascending("rekeyRequired", "epochStartedAt")))
                .flatMap(v -> mongoCollection().createIndex(OutboxDocument.INDEX, OutboxDocument.INDEX_OPTIONS))
                .replaceWithVoid();
    }

    @Override
    public Uni<Void> insert(Session session) {
        return persist(SessionDocument.from(session)).replaceWithVoid()
                .onFailure(e -> e instanceof MongoWriteException w
                        && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY)
                .transform(e -> new SessionExists());
    }

    @Override
    public Uni<Session> get(String id) {
        return findById(id).map(d -> d == null ? null : d.toDomain());
    }

    @Override
    public Uni<Boolean> update(Session s) {
        var set = Updates.combine(
                Updates.set("currentEpoch", s.currentEpoch()),
                Updates.set("epochs", SessionDocument.epochs(s)),
                Updates.set("rekeyRequired", s.rekeyRequired()),
                Updates.set("rekeyReason", s.rekeyReason() == null ? null : s.rekeyReason().name()),
                Updates.set("epochStartedAt", s.epochStartedAt()),
                Updates.set("lastActivityAt", s.lastActivityAt()),
                Updates.set("members", SessionDocument.members(s)),
                Updates.set("revision", s.revision() + 1),
                Updates.pushEach("outbox", OutboxDocument.of(s.outbox())));
        return mongoCollection().updateOne(
                Filters.and(Filters.eq("_id", s.id()), Filters.eq("revision", s.revision())), set)
                .map(r -> r.getMatchedCount() == 1);
    }

    @Override
    public Uni<List<Session>> forMember(String userId, int offset, int limit) {
        return find("members.userId", Sort.descending("lastActivityAt").and("_id"), userId)
                .range(offset, offset + limit - 1).list().map(this::domain);
    }

    @Override
    public Uni<List<Session>> activeFor(String userId) {
        return find("members.userId", userId).list()
                .map(docs -> domain(docs).stream().filter(s -> s.activeMember(userId).isPresent()).toList());
    }

    /**
     * Counts without a counter: the current epoch's lowest and highest seq are kept with
     * {@code $min}/{@code $max}, and seqs are dense per session, so the epoch's message count is
     * highest - lowest + 1 (see {@code SessionDocument.messagesInEpoch}). A redelivered or reordered
     * {@code MessageStored} therefore changes nothing, and no set of seen message ids has to be kept.
     * The first message of a new epoch restarts the range ({@code countedEpoch} differs); messages
     * of an epoch that is no longer current are not counted.
     */
    @Override
    public Uni<Session> recordMessage(String sessionId, long seq, int epoch, Instant at) {
        Bson sameEpoch = Filters.and(Filters.eq("_id", sessionId), Filters.eq("currentEpoch", epoch),
                Filters.eq("countedEpoch", epoch));
        Bson widen = Updates.combine(Updates.min("epochFirstSeq", seq), Updates.max("epochLastSeq", seq));
        Bson firstOfEpoch = Filters.and(Filters.eq("_id", sessionId), Filters.eq("currentEpoch", epoch),
                Filters.ne("countedEpoch", epoch));
        Bson start = Updates.combine(Updates.set("countedEpoch", epoch), Updates.set("epochFirstSeq", seq),
                Updates.set("epochLastSeq", seq));
        return mongoCollection().updateOne(sameEpoch, widen)
                .flatMap(r -> r.getMatchedCount() == 1 ? Uni.createFrom().item(r)
                        : mongoCollection().updateOne(firstOfEpoch, start)
                                // a concurrent delivery may have just started the range: widen it instead
                                .flatMap(s -> s.getMatchedCount() == 1 ? Uni.createFrom().item(s)
                                        : mongoCollection().updateOne(sameEpoch, widen)))
                .flatMap(v -> mongoCollection().findOneAndUpdate(Filters.eq("_id", sessionId),
                        Updates.combine(Updates.max("lastMessageSeq", seq), Updates.max("lastMessageAt", at),
                                Updates.max("lastActivityAt", at)),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
                .map(d -> d == null ? null : d.toDomain());
    }

    @Override
    public Uni<List<Session>> epochsOlderThan(Instant startedBefore, int limit) {
        return find(new Document("rekeyRequired", false).append("epochStartedAt", new Document("$lt", startedBefore)))
                .page(0, limit).list().map(this::domain);
    }

    @Override
    public Uni<String> claimDirect(String pairKey, String sessionId) {
        var pairs = mongoDatabase().getCollection("direct_pairs");
        return pairs.insertOne(new Document("_id", pairKey).append("sessionId", sessionId))
                .map(r -> (String) null)
                .onFailure(e -> e instanceof MongoWriteException w
                        && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY)
                .recoverWithUni(() -> pairs.find(Filters.eq("_id", pairKey)).collect().first()
                        .map(d -> d.getString("sessionId")));
    }

    @Override
    public Uni<Boolean> replaceDirectClaim(String pairKey, String expectedSessionId, String sessionId) {
        return mongoDatabase().getCollection("direct_pairs").updateOne(
                Filters.and(Filters.eq("_id", pairKey), Filters.eq("sessionId", expectedSessionId)),
                Updates.set("sessionId", sessionId))
                .map(r -> r.getMatchedCount() == 1);
    }

    @Override
    public Uni<Void> releaseDirect(String pairKey, String sessionId) {
        return mongoDatabase().getCollection("direct_pairs").deleteOne(
                Filters.and(Filters.eq("_id", pairKey), Filters.eq("sessionId", sessionId)))
                .replaceWithVoid();
    }

    @Override
    public Uni<List<Pending>> pending(int limit) {
        return find(OutboxDocument.PENDING).page(0, limit).list()
                .map(docs -> OutboxStore.each(docs, d -> d.id, d -> new Pending(d.id, d.id, d.toDomain().outbox())));
    }

    @Override
    public Uni<Long> backlog() {
        return count(OutboxDocument.PENDING);
    }

    @Override
    public Uni<Void> remove(String sessionId, List<String> eventIds) {
        return mongoCollection().updateOne(Filters.eq("_id", sessionId),
                OutboxDocument.published(eventIds)).replaceWithVoid();
    }

    private List<Session> domain(List<SessionDocument> docs) {
        return docs.stream().map(SessionDocument::toDomain).toList();
    }
}
