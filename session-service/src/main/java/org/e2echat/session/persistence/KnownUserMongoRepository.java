package org.e2echat.session.persistence;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import io.quarkus.mongodb.panache.common.MongoEntity;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bson.codecs.pojo.annotations.BsonId;
import org.e2echat.session.domain.KnownUser;
import org.e2echat.session.domain.Stores.UserDirectory;

/**
 * The projection of {@code chat.users}: who exists, their names, their current key version and its expiry, and
 * the revision that state is from, so that only newer events change it.
 */
@ApplicationScoped
public class KnownUserMongoRepository
        implements ReactivePanacheMongoRepositoryBase<KnownUserMongoRepository.KnownUserDocument, String>, UserDirectory {

    @MongoEntity(collection = "known_users")
    public static class KnownUserDocument {
        @BsonId
        public String userId;
        public String username;
        public String displayName;
        public boolean deleted;
        public Integer currentKeyVersion;
        public Instant currentKeyExpiresAt;
        public long revision;
    }

    @Override
    public Uni<Map<String, KnownUser>> find(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return find("_id in ?1", List.copyOf(userIds)).list()
                .map(docs -> docs.stream().map(KnownUserMongoRepository::domain)
                        .collect(Collectors.toMap(KnownUser::userId, Function.identity())));
    }

    @Override
    public Uni<KnownUser> get(String userId) {
        return findById(userId).map(d -> d == null ? null : domain(d));
    }

    /**
     * One conditional upsert: replace where the stored revision is lower (or absent, for documents
     * written before revisions existed); when the filter finds nothing the upsert inserts, and a
     * duplicate-key refusal means the user is stored at the same or a higher revision. Two upserts
     * of a new user can race to insert: the loser tries once more, now against the winner's document.
     */
    @Override
    public Uni<Boolean> applyIfNewer(KnownUser user) {
        KnownUserDocument d = new KnownUserDocument();
        d.userId = user.userId();
        d.username = user.username();
        d.displayName = user.displayName();
        d.deleted = user.deleted();
        d.currentKeyVersion = user.currentKeyVersion();
        d.currentKeyExpiresAt = user.currentKeyExpiresAt();
        d.revision = user.revision();
        Uni<Boolean> attempt = Uni.createFrom().deferred(() -> mongoCollection().replaceOne(
                Filters.and(Filters.eq("_id", d.userId), Filters.not(Filters.gte("revision", d.revision))), d,
                new ReplaceOptions().upsert(true)).replaceWith(true));
        return attempt.onFailure(KnownUserMongoRepository::isDuplicate).retry().atMost(1)
                .onFailure(KnownUserMongoRepository::isDuplicate).recoverWithItem(false);
    }

    private static boolean isDuplicate(Throwable e) {
        return e instanceof MongoWriteException w && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }

    private static KnownUser domain(KnownUserDocument d) {
        return new KnownUser(d.userId, d.username, d.displayName, d.deleted, d.currentKeyVersion,
                d.currentKeyExpiresAt, d.revision);
    }
}
