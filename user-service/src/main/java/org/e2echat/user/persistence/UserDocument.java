package org.e2echat.user.persistence;

import io.quarkus.mongodb.panache.common.MongoEntity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bson.codecs.pojo.annotations.BsonId;
import org.e2echat.user.domain.IdentityKey;
import org.e2echat.user.domain.KeyStatus;
import org.e2echat.common.outbox.OutboxDocument;
import org.e2echat.common.outbox.OutboxEvent;
import org.e2echat.user.domain.User;

/** A user as stored in the {@code users} collection, keys and pending events embedded. */
@MongoEntity(collection = "users")
public class UserDocument {

    @BsonId
    public String id;
    public String username;
    public String usernameKey;
    public String displayName;
    public String passwordHash;
    public boolean deleted;
    public Instant createdAt;
    public Instant deletedAt;
    public Integer currentKeyVersion;
    public List<KeyDocument> keys = new ArrayList<>();
    public long revision;
    public List<OutboxDocument> outbox = new ArrayList<>();

    /** One identity version. */
    public static class KeyDocument {
        public int version;
        public String suite;
        public String signingPublicKey;
        public String kemPublicKey;
        public String kemKeySignature;
        public String fingerprint;
        public String status;
        public Instant createdAt;
        public Instant expiresAt;
        public Instant revokedAt;
    }


    static UserDocument from(User u, long revision) {
        UserDocument d = new UserDocument();
        d.id = u.id();
        d.username = u.username();
        d.usernameKey = u.usernameKey();
        d.displayName = u.displayName();
        d.passwordHash = u.passwordHash();
        d.deleted = u.deleted();
        d.createdAt = u.createdAt();
        d.deletedAt = u.deletedAt();
        d.currentKeyVersion = u.currentKeyVersion();
        d.revision = revision;
        for (IdentityKey k : u.keys()) {
            KeyDocument kd = new KeyDocument();
            kd.version = k.version();
            kd.suite = k.suite();
            kd.signingPublicKey = k.signingPublicKey();
            kd.kemPublicKey = k.kemPublicKey();
            kd.kemKeySignature = k.kemKeySignature();
            kd.fingerprint = k.fingerprint();
            kd.status = k.status().name();
            kd.createdAt = k.createdAt();
            kd.expiresAt = k.expiresAt();
            kd.revokedAt = k.revokedAt();
            d.keys.add(kd);
        }
        d.outbox = OutboxDocument.of(u.outbox());
        return d;
    }

    User toDomain() {
        List<IdentityKey> domainKeys = new ArrayList<>();
        for (KeyDocument k : keys == null ? List.<KeyDocument>of() : keys) {
            domainKeys.add(new IdentityKey(k.version, k.suite, k.signingPublicKey, k.kemPublicKey, k.kemKeySignature,
                    k.fingerprint, KeyStatus.valueOf(k.status), k.createdAt, k.expiresAt, k.revokedAt));
        }
        List<OutboxEvent> events = OutboxDocument.events(outbox);
        return new User(id, username, usernameKey, displayName, passwordHash, deleted, createdAt, deletedAt,
                currentKeyVersion, domainKeys, revision, events);
    }
}
