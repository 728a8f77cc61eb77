package org.e2echat.contracts.events;

import java.time.Instant;

/**
 * Payloads of the events user-service publishes to {@code chat.users} (key = userId). Each is sent
 * inside an {@link EventEnvelope} whose {@code type} is the record's simple name, version 1.
 */
public final class UserEvents {

    public static final int VERSION = 1;

    private UserEvents() {
    }

    /** An account was created with its first identity version; consumers build their user projections from it. */
    public record UserRegistered(String userId, String username, String displayName, int keyVersion, String fingerprint) {
        public static final String TYPE = "UserRegistered";
    }

    /** A user uploaded a new identity version; envelopes wrapped to the previous KEM key are stale. */
    public record UserKeyRotated(String userId, Integer previousKeyVersion, int keyVersion, String fingerprint) {
        public static final String TYPE = "UserKeyRotated";
    }

    /** A user revoked one identity version; sessions holding envelopes for it must rekey. */
    public record UserKeyRevoked(String userId, int keyVersion, Integer currentKeyVersion) {
        public static final String TYPE = "UserKeyRevoked";
    }

    /** An account was deleted; the name snapshot is what the user's old messages keep showing. */
    public record UserDeleted(String userId, String username, String displayName, Instant deletedAt) {
        public static final String TYPE = "UserDeleted";
    }
}
