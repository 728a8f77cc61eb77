package org.e2echat.session.domain;

import java.time.Instant;

/**
 * What session-service knows of a user, projected from {@code chat.users}; {@code revision} is the
 * user's revision in user-service this state is from (a newer event has a higher one).
 * {@code currentKeyExpiresAt} is when the current key expires (null: never); from that instant
 * the key is unusable, as if revoked, even before user-service announces the expiry.
 */
public record KnownUser(String userId, String username, String displayName, boolean deleted,
        Integer currentKeyVersion, Instant currentKeyExpiresAt, long revision) {

    /** A user whose current key (if any) does not expire. */
    public KnownUser(String userId, String username, String displayName, boolean deleted, Integer currentKeyVersion,
            long revision) {
        this(userId, username, displayName, deleted, currentKeyVersion, null, revision);
    }

    /** The key version that may be wrapped to and signed with at {@code now}: none when deleted, revoked or expired. */
    public Integer usableKeyVersion(Instant now) {
        if (deleted || currentKeyVersion == null) {
            return null;
        }
        return currentKeyExpiresAt != null && !currentKeyExpiresAt.isAfter(now) ? null : currentKeyVersion;
    }

    /** True when the current key has passed its expiry at {@code now}. */
    public boolean keyExpired(Instant now) {
        return !deleted && currentKeyVersion != null && usableKeyVersion(now) == null;
    }
}
