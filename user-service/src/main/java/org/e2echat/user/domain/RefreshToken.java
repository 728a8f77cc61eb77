package org.e2echat.user.domain;

import java.time.Instant;

/**
 * A stored refresh token: only the SHA-256 of the opaque value is kept. Tokens of one login form
 * a family; each use spends the token and issues the next one in the family.
 */
public record RefreshToken(String tokenHash, String familyId, String userId, State state, Instant createdAt,
        Instant expiresAt) {

    public enum State {
        ACTIVE, SPENT, REVOKED
    }
}
