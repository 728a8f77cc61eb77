package org.e2echat.client.sdk;

/** A contact's identity as pinned and as seen now; fingerprints are public values (SHA-256 hex). */
public record IdentityChange(String userId, int pinnedKeyVersion, String pinnedFingerprint,
                             int newKeyVersion, String newFingerprint) {
}
