package org.e2echat.user.persistence;

import io.quarkus.mongodb.panache.common.MongoEntity;
import java.time.Instant;
import org.bson.codecs.pojo.annotations.BsonId;
import org.e2echat.user.domain.RefreshToken;

/** A refresh token as stored: the SHA-256 of the opaque value is the id; the value itself is never stored. */
@MongoEntity(collection = "refresh_tokens")
public class RefreshTokenDocument {

    @BsonId
    public String tokenHash;
    public String familyId;
    public String userId;
    public String state;
    public Instant createdAt;
    public Instant expiresAt;

    static RefreshTokenDocument from(RefreshToken t) {
        RefreshTokenDocument d = new RefreshTokenDocument();
        d.tokenHash = t.tokenHash();
        d.familyId = t.familyId();
        d.userId = t.userId();
        d.state = t.state().name();
        d.createdAt = t.createdAt();
        d.expiresAt = t.expiresAt();
        return d;
    }

    RefreshToken toDomain() {
        return new RefreshToken(tokenHash, familyId, userId, RefreshToken.State.valueOf(state), createdAt, expiresAt);
    }
}
