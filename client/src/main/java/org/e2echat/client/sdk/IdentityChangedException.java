package org.e2echat.client.sdk;

/**
 * Thrown when a contact's identity no longer matches the fingerprint pinned on first sight: the
 * SDK will not wrap keys to it or trust its signatures until the user accepts the change.
 */
public class IdentityChangedException extends RuntimeException {

    private final transient IdentityChange change;

    public IdentityChangedException(IdentityChange change) {
        super("the identity of user " + change.userId() + " changed (pinned key version "
                + change.pinnedKeyVersion() + ", now " + change.newKeyVersion()
                + "); compare safety numbers and accept it before trusting it");
        this.change = change;
    }

    public IdentityChange change() {
        return change;
    }
}
