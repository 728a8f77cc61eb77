package org.e2echat.session.domain;

import java.time.Instant;
import org.e2echat.session.domain.Model.LeaveReason;
import org.e2echat.session.domain.Model.Role;

/**
 * One membership: when it began (epoch), which identity version the member's envelope for the
 * current epoch targets, and, once it ended, the epoch and last seen seq at which it did.
 */
public record Member(String userId, Role role, int joinedEpoch, Instant joinedAt, int keyVersion, Integer leftEpoch,
        Long leftSeq, Instant leftAt, LeaveReason leftReason) {

    public boolean active() {
        return leftEpoch == null;
    }

    Member withRole(Role newRole) {
        return new Member(userId, newRole, joinedEpoch, joinedAt, keyVersion, leftEpoch, leftSeq, leftAt, leftReason);
    }

    Member withKeyVersion(int version) {
        return new Member(userId, role, joinedEpoch, joinedAt, version, leftEpoch, leftSeq, leftAt, leftReason);
    }

    Member leaving(int epoch, long seq, Instant at, LeaveReason reason) {
        return new Member(userId, role, joinedEpoch, joinedAt, keyVersion, epoch, seq, at, reason);
    }
}
