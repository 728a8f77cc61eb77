package org.e2echat.user.domain;

import java.time.Instant;

/**
 * One version of a user's public identity: Ed25519 signing key and X25519 KEM key (raw 32 bytes,
 * base64), the signing key's signature over the KEM key, and the SHA-256 fingerprint (hex).
 */
public record IdentityKey(int version, String suite, String signingPublicKey, String kemPublicKey,
        String kemKeySignature, String fingerprint, KeyStatus status, Instant createdAt, Instant expiresAt,
        Instant revokedAt) {

    /** The status as of {@code now}: an active key past its expiry reads as expired. */
    public KeyStatus statusAt(Instant now) {
        if (status == KeyStatus.ACTIVE && expiresAt != null && !expiresAt.isAfter(now)) {
            return KeyStatus.EXPIRED;
        }
        return status;
    }

    public IdentityKey withStatus(KeyStatus newStatus, Instant revoked) {
        return new IdentityKey(version, suite, signingPublicKey, kemPublicKey, kemKeySignature, fingerprint,
                newStatus, createdAt, expiresAt, revoked);
    }
}
