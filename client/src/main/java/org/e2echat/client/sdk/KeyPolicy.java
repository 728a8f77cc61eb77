package org.e2echat.client.sdk;

import java.time.Duration;

/**
 * How long this user's identity keys live and when the SDK renews them by itself.
 * {@code lifetime}: the {@code expiresAt} given to each new key version, counted from its upload
 * (null: keys do not expire unless a key already had a lifetime, which renewals then keep).
 * {@code renewWithin}: a current key that expires within this window (or within half its own
 * lifetime, if that is shorter) is renewed (a new key version uploaded) at sign-in and while
 * connected, before it expires; so is one already expired.
 * A {@code renewWithin} of null means the SDK never renews by itself ({@link #MANUAL}):
 * {@code ChatClient.renewIdentityIfDue()} then renews a key that has expired.
 */
public record KeyPolicy(Duration lifetime, Duration renewWithin) {

    /** Keys without expiry; keys that do expire are renewed within 7 days of it. */
    public static final KeyPolicy DEFAULT = new KeyPolicy(null, Duration.ofDays(7));

    /** Keys without expiry, and no renewal unless the application asks for it. */
    public static final KeyPolicy MANUAL = new KeyPolicy(null, null);

    /** Whether the SDK renews by itself (at sign-in, periodically, after reconnects). */
    public boolean automatic() {
        return renewWithin != null;
    }

    public KeyPolicy {
        if (lifetime != null && (lifetime.isNegative() || lifetime.isZero())) {
            throw new IllegalArgumentException("lifetime must be positive");
        }
        if (renewWithin != null && renewWithin.isNegative()) {
            throw new IllegalArgumentException("renewWithin must be zero or positive");
        }
    }
}
