package org.e2echat.session.domain;

/** The small vocabularies of sessions. */
public final class Model {

    private Model() {
    }

    public enum SessionType {
        DIRECT, GROUP
    }

    public enum Role {
        OWNER, ADMIN, MEMBER
    }

    /** Why a membership ended. */
    public enum LeaveReason {
        REMOVED, LEFT, DELETED
    }

    /** Why sends are refused until the next rotation. */
    public enum RekeyReason {
        MEMBER_REMOVED, MEMBER_LEFT, MEMBER_DELETED, KEY_ROTATED, KEY_REVOKED, KEY_EXPIRED, POLICY_AGE, POLICY_MESSAGES
    }
}
