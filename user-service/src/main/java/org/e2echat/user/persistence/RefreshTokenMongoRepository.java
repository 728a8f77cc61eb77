package org.e2echat.user.persistence;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Date;
import org.bson.Document;
import org.e2echat.user.domain.RefreshToken;
import org.e2echat.user.domain.RefreshTokenStore;

/** {@link RefreshTokenStore} on MongoDB; spending is one atomic findOneAndUpdate. */
@ApplicationScoped
public class RefreshTokenMongoRepository
        implements ReactivePanacheMongoRepositoryBase<RefreshTokenDocument, String>, RefreshTokenStore {

    @Override
    public Uni<Void> insert(RefreshToken token) {
        return persist(RefreshTokenDocument.from(token)).replaceWithVoid();
    }

    @Override
    public Uni<RefreshToken> spend(String tokenHash) {
        return mongoCollection().findOneAndUpdate(
                Filters.and(Filters.eq("_id", tokenHash), Filters.eq("state", RefreshToken.State.ACTIVE.name())),
                Updates.set("state", RefreshToken.State.SPENT.name()),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE))
                .map(d -> d == null ? null : d.toDomain());
    }

    @Override
    public Uni<RefreshToken> lookup(String tokenHash) {
        return findByIdOptional(tokenHash).map(o -> o.map(RefreshTokenDocument::toDomain).orElse(null));
    }

    @Override
    public Uni<Void> revokeFamily(String familyId) {
        // the marker first: a successor inserted concurrently is either revoked by the updateMany
        // or refused by the marker check that follows its insert
        return revokedFamilies().updateOne(Filters.eq("_id", familyId),
                Updates.setOnInsert("revokedAt", new Date()), new UpdateOptions().upsert(true))
                .flatMap(v -> mongoCollection().updateMany(Filters.eq("familyId", familyId),
                        Updates.set("state", RefreshToken.State.REVOKED.name())))
                .replaceWithVoid();
    }

    @Override
    public Uni<Boolean> familyRevoked(String familyId) {
        return revokedFamilies().find(Filters.eq("_id", familyId)).collect().first().map(d -> d != null);
    }

    private ReactiveMongoCollection<Document> revokedFamilies() {
        return mongoDatabase().getCollection("revoked_token_families");
    }

    @Override
    public Uni<Void> revokeAllOf(String userId) {
        return mongoCollection().updateMany(Filters.eq("userId", userId),
                Updates.set("state", RefreshToken.State.REVOKED.name())).replaceWithVoid();
    }
}
