package org.e2echat.client.sdk;

import java.time.Instant;

/**
 * A renewal the SDK made by itself: the key {@code previousVersion} expires (or expired) at
 * {@code previousExpiresAt}, and {@code version} (fresh keys, valid until {@code expiresAt}, null:
 * no expiry) replaces it. Save the new version's private keys; contacts see a new key.
 */
public record KeyRenewal(int previousVersion, Instant previousExpiresAt, int version, Instant expiresAt) {
}
