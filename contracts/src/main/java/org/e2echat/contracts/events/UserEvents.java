package org.e2echat.contracts.events;

import java.time.Instant;

/**
 * Payloads of the events user-service publishes to {@code chat.users} (key = userId, a compacted
 * topic). Each is sent inside an {@link EventEnvelope} whose {@code type} is the record's simple
 * name, version {@link #VERSION}. Every payload carries {@code state}, the user as consumers
 * project them after the change, so the latest record of a user is enough to rebuild a projection,
 * and its {@code revision} tells a consumer whether an event is newer than what it already holds.
 */
public final class UserEvents {

    /** 2: every payload carries {@code state}; version 1 payloads had only the event's own fields. */
    public static final int VERSION = 2;

    private UserEvents() {
    }

    /**
     * The user after the change: what projections keep. {@code revision} is the user's revision in
     * user-service after the change (0 at registration, one more per change); a consumer applies an
     * event only when its revision is higher than the one it holds, so duplicates and late events
     * change nothing.
     */
    public record UserState(String username, String displayName, boolean deleted, Integer currentKeyVersion,
            Instant currentKeyExpiresAt, long revision) {

        /** The revision of a user just registered. */
        public static final long FIRST_REVISION = 0;
        /**
         * Orders after every revision. A deletion is the last change a user can have, so a publisher
         * that does not know a deletion's revision (a test standing in for user-service) uses this.
         */
        public static final long FINAL_REVISION = Long.MAX_VALUE;

        /** A state whose current key (if any) does not expire. */
        public UserState(String username, String displayName, boolean deleted, Integer currentKeyVersion,
                long revision) {
            this(username, displayName, deleted, currentKeyVersion, null, revision);
        }
    }

    /** An account was created with its first identity version. */
    public record UserRegistered(String userId, String username, String displayName, int keyVersion, String fingerprint,
            UserState state) {
        public static final String TYPE = "UserRegistered";

        /** A registration: always the user's first revision, not deleted, {@code keyVersion} current. */
        public UserRegistered(String userId, String username, String displayName, int keyVersion, String fingerprint) {
            this(userId, username, displayName, keyVersion, fingerprint,
                    new UserState(username, displayName, false, keyVersion, UserState.FIRST_REVISION));
        }
    }

    /** A user uploaded a new identity version; envelopes wrapped to the previous KEM key are stale. */
    public record UserKeyRotated(String userId, Integer previousKeyVersion, int keyVersion, String fingerprint,
            UserState state) {
        public static final String TYPE = "UserKeyRotated";
    }

    /** A user revoked one identity version; sessions holding envelopes for it must rekey. */
    public record UserKeyRevoked(String userId, int keyVersion, Integer currentKeyVersion, UserState state) {
        public static final String TYPE = "UserKeyRevoked";
    }

    /**
     * The user's active identity version reached its {@code expiresAt}: like a revocation, nothing
     * may be wrapped to it any more and sessions holding envelopes for it must rekey
     * ({@code KEY_EXPIRED}). {@code currentKeyVersion} is null afterwards (the user has no active
     * key until they upload the next version).
     */
    public record UserKeyExpired(String userId, int keyVersion, Instant expiresAt, Integer currentKeyVersion,
            UserState state) {
        public static final String TYPE = "UserKeyExpired";
    }

    /** An account was deleted; the name snapshot is what the user's old messages keep showing. */
    public record UserDeleted(String userId, String username, String displayName, Instant deletedAt, UserState state) {
        public static final String TYPE = "UserDeleted";

        /** A deletion whose revision the publisher does not know: ordered last ({@link UserState#FINAL_REVISION}). */
        public UserDeleted(String userId, String username, String displayName, Instant deletedAt) {
            this(userId, username, displayName, deletedAt,
                    new UserState(username, displayName, true, null, UserState.FINAL_REVISION));
        }
    }

    /**
     * The user's current state announced again, at the revision it already has: user-service sends it
     * when an older record of the user reached the topic after a newer one (at-least-once relays can
     * reorder), so that compaction, which keeps the last record per key, keeps the newest state.
     */
    public record UserStateRestated(String userId, UserState state) {
        public static final String TYPE = "UserStateRestated";
    }
}
