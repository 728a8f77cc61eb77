package org.e2echat.user.domain;

import org.e2echat.common.outbox.OutboxEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An account. A deleted account is a tombstone: id, username (still reserved), display name and
 * deletion time survive; credentials are gone and every key is revoked. {@code revision} guards
 * every update (compare-and-set), {@code outbox} holds events not yet published.
 */
public record User(String id, String username, String usernameKey, String displayName, String passwordHash,
        boolean deleted, Instant createdAt, Instant deletedAt, Integer currentKeyVersion, List<IdentityKey> keys,
        long revision, List<OutboxEvent> outbox) {

    public User {
        keys = List.copyOf(keys);
        outbox = List.copyOf(outbox);
    }

    public Optional<IdentityKey> key(int version) {
        return keys.stream().filter(k -> k.version() == version).findFirst();
    }

    /** The current key if it is still usable now. */
    public Optional<IdentityKey> activeKey(Instant now) {
        return currentKeyVersion == null ? Optional.empty()
                : key(currentKeyVersion).filter(k -> k.statusAt(now) == KeyStatus.ACTIVE);
    }

    /**
     * The current key version if that key is usable at {@code now}, else null: a current key that
     * has passed its expiry counts as none, exactly as after a revocation.
     */
    public Integer currentKeyVersion(Instant now) {
        return activeKey(now).map(IdentityKey::version).orElse(null);
    }

    public int nextKeyVersion() {
        return keys.stream().mapToInt(IdentityKey::version).max().orElse(0) + 1;
    }

    User withKeys(List<IdentityKey> newKeys, Integer current) {
        return new User(id, username, usernameKey, displayName, passwordHash, deleted, createdAt, deletedAt, current,
                newKeys, revision, outbox);
    }

    User asTombstone(Instant now) {
        List<IdentityKey> revoked = new ArrayList<>();
        for (IdentityKey k : keys) {
            revoked.add(k.status() == KeyStatus.REVOKED ? k : k.withStatus(KeyStatus.REVOKED, now));
        }
        return new User(id, username, usernameKey, displayName, null, true, createdAt, now, null, revoked, revision,
                outbox);
    }

    User withEvent(OutboxEvent event) {
        return new User(id, username, usernameKey, displayName, passwordHash, deleted, createdAt, deletedAt,
                currentKeyVersion, keys, revision, append(event));
    }

    private List<OutboxEvent> append(OutboxEvent event) {
        List<OutboxEvent> events = new ArrayList<>(outbox);
        events.add(event);
        return events;
    }
}
