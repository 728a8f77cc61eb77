package org.e2echat.client.sdk;

import java.time.Duration;

/**
 * How long this user's identity keys live and when the SDK renews them by itself.
 * {@code lifetime}: the {@code expiresAt} given to each new key version, counted from its upload
 * (null: keys do not expire unless a key already had a lifetime, which renewals then keep).
 * {@code renewWithin}: a current key that expires within this window is renewed (a new key
 * version uploaded) at sign-in and while connected, before it expires; so is one already expired.
 */
public record KeyPolicy(Duration lifetime, Duration renewWithin) {

    /** Keys without expiry; keys that do expire are renewed within 7 days of it. */
    public static final KeyPolicy DEFAULT = new KeyPolicy(null, Duration.ofDays(7));

    public KeyPolicy {
        if (lifetime != null && (lifetime.isNegative() || lifetime.isZero())) {
            throw new IllegalArgumentException("lifetime must be positive");
        }
        if (renewWithin == null || renewWithin.isNegative()) {
            throw new IllegalArgumentException("renewWithin must be zero or positive");
        }
        if (lifetime != null && renewWithin.compareTo(lifetime) >= 0) {
            throw new IllegalArgumentException("renewWithin must be shorter than the lifetime, or every key renews at once");
        }
    }
}
