package org.e2echat.user.domain;

import io.smallrye.mutiny.Uni;

/** Persistence port for refresh tokens (stored by hash only). */
public interface RefreshTokenStore {

    Uni<Void> insert(RefreshToken token);

    /** Atomically moves an ACTIVE token to SPENT; returns it as it was, or null if it was not ACTIVE. */
    Uni<RefreshToken> spend(String tokenHash);

    Uni<RefreshToken> lookup(String tokenHash);

    /**
     * Revokes every token of the family, including any inserted later: the family is recorded as
     * revoked before its tokens are, and {@link #familyRevoked} answers from that record.
     */
    Uni<Void> revokeFamily(String familyId);

    /** Whether the family was ever revoked (reuse or logout); such a family's tokens are never accepted. */
    Uni<Boolean> familyRevoked(String familyId);

    Uni<Void> revokeAllOf(String userId);
}
