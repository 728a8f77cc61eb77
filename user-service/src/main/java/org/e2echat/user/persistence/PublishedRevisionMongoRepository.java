package org.e2echat.user.persistence;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.quarkus.mongodb.panache.common.MongoEntity;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.codecs.pojo.annotations.BsonId;

/** The highest revision of each user seen on {@code chat.users}, kept by the compaction guard. */
@ApplicationScoped
public class PublishedRevisionMongoRepository implements
        ReactivePanacheMongoRepositoryBase<PublishedRevisionMongoRepository.PublishedRevisionDocument, String> {

    /** One user's highest published revision. */
    @MongoEntity(collection = "published_revisions")
    public static class PublishedRevisionDocument {
        @BsonId
        public String userId;
        public long revision;
    }

    /**
     * Records that {@code revision} of the user was seen on the topic; returns the highest revision
     * seen before it, or null for the user's first record. Order-free and idempotent ({@code $max}).
     */
    public Uni<Long> raise(String userId, long revision) {
        return mongoCollection().findOneAndUpdate(Filters.eq("_id", userId), Updates.max("revision", revision),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.BEFORE))
                .map(before -> before == null ? null : before.revision)
                // two upserts of a new id can race; the loser finds the winner's document on retry
                .onFailure(e -> e instanceof MongoWriteException w
                        && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY)
                .retry().atMost(1);
    }
}
