package org.e2echat.user.domain;

import io.smallrye.mutiny.Uni;

/** Persistence port for refresh tokens (stored by hash only). */
public interface RefreshTokenStore {

    Uni<Void> insert(RefreshToken token);

    /** Atomically moves an ACTIVE token to SPENT; returns it as it was, or null if it was not ACTIVE. */
    Uni<RefreshToken> spend(String tokenHash);

    Uni<RefreshToken> lookup(String tokenHash);

    Uni<Void> revokeFamily(String familyId);

    Uni<Void> revokeAllOf(String userId);
}
