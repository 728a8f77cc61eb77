package org.e2echat.user.persistence;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.e2echat.common.outbox.OutboxDocument;
import org.e2echat.common.outbox.OutboxEvent;
import org.e2echat.common.outbox.OutboxStore;
import org.e2echat.user.domain.KeyStatus;
import org.e2echat.user.domain.User;
import org.e2echat.user.domain.UserStore;

/** {@link UserStore} on MongoDB: unique username key, revision compare-and-set, and the embedded outbox. */
@ApplicationScoped
public class UserMongoRepository
        implements ReactivePanacheMongoRepositoryBase<UserDocument, String>, UserStore, OutboxStore {

    /** Creates the indexes this store relies on; called once at startup. */
    public Uni<Void> createIndexes() {
        return mongoCollection().createIndex(Indexes.ascending("usernameKey"),
                new IndexOptions().unique(true).name("usernameKey_unique"))
                .flatMap(v -> mongoCollection().createIndex(OutboxDocument.INDEX, OutboxDocument.INDEX_OPTIONS))
                .replaceWithVoid();
    }

    @Override
    public Uni<Void> insert(User user) {
        return persist(UserDocument.from(user, user.revision())).replaceWithVoid()
                .onFailure(MongoWriteException.class).transform(e -> isDuplicate(e) ? new UsernameTaken() : e);
    }

    @Override
    public Uni<User> get(String id) {
        return findByIdOptional(id).map(o -> o.map(UserDocument::toDomain).orElse(null));
    }

    @Override
    public Uni<User> getByUsernameKey(String usernameKey) {
        return find("usernameKey", usernameKey).firstResult().map(d -> d == null ? null : d.toDomain());
    }

    @Override
    public Uni<List<String>> withActiveKeyExpiredBy(Instant now, int limit) {
        return mongoCollection().find(Filters.and(Filters.eq("deleted", false), Filters.elemMatch("keys",
                Filters.and(Filters.eq("status", KeyStatus.ACTIVE.name()), Filters.lte("expiresAt", Date.from(now))))))
                .select().first(limit).map(d -> d.id).collect().asList();
    }

    @Override
    public Uni<Boolean> replace(User user) {
        UserDocument next = UserDocument.from(user, user.revision() + 1);
        return mongoCollection().replaceOne(
                Filters.and(Filters.eq("_id", user.id()), Filters.eq("revision", user.revision())), next)
                .map(result -> result.getMatchedCount() == 1);
    }

    @Override
    public Uni<Boolean> append(String userId, long revision, OutboxEvent event) {
        return mongoCollection().updateOne(Filters.and(Filters.eq("_id", userId), Filters.eq("revision", revision)),
                Updates.pushEach("outbox", OutboxDocument.of(List.of(event))))
                .map(result -> result.getMatchedCount() == 1);
    }

    @Override
    public Uni<List<Pending>> pending(int limit) {
        return find(OutboxDocument.PENDING).page(0, limit).list()
                .map(docs -> OutboxStore.each(docs, d -> d.id, d -> {
                    var u = d.toDomain();
                    return new Pending(u.id(), u.id(), u.outbox());
                }));
    }

    @Override
    public Uni<Long> backlog() {
        return count(OutboxDocument.PENDING);
    }

    @Override
    public Uni<Void> remove(String userId, List<String> eventIds) {
        return mongoCollection().updateOne(Filters.eq("_id", userId),
                OutboxDocument.published(eventIds)).replaceWithVoid();
    }

    static boolean isDuplicate(Throwable e) {
        return e instanceof MongoWriteException w && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }
}
