package org.e2echat.session.persistence;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import io.quarkus.mongodb.panache.common.MongoEntity;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bson.codecs.pojo.annotations.BsonId;
import org.e2echat.session.domain.KnownUser;
import org.e2echat.session.domain.Stores.UserDirectory;

/** The projection of {@code chat.users}: who exists, their names, and their current key version. */
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

    @Override
    public Uni<Void> upsert(KnownUser user) {
        KnownUserDocument d = new KnownUserDocument();
        d.userId = user.userId();
        d.username = user.username();
        d.displayName = user.displayName();
        d.deleted = user.deleted();
        d.currentKeyVersion = user.currentKeyVersion();
        return mongoCollection().replaceOne(Filters.eq("_id", d.userId), d, new ReplaceOptions().upsert(true))
                .replaceWithVoid();
    }

    private static KnownUser domain(KnownUserDocument d) {
        return new KnownUser(d.userId, d.username, d.displayName, d.deleted, d.currentKeyVersion);
    }
}
