package org.e2echat.user.domain;

/** Lifecycle of one identity version. Only ACTIVE keys may receive new envelopes. */
public enum KeyStatus {
    /** The user's current identity. */
    ACTIVE,
    /** Replaced by a newer version; still valid for verifying what it signed. */
    SUPERSEDED,
    /** Withdrawn by the user (or by account deletion); must not be trusted for anything new. */
    REVOKED,
    /** Past its optional expiry. */
    EXPIRED
}
