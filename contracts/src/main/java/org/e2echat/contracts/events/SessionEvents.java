package org.e2echat.contracts.events;

import java.util.List;

/**
 * Payloads of the events session-service publishes to {@code chat.sessions} (key = sessionId),
 * each in an {@link EventEnvelope} whose {@code type} is the record's simple name. Every payload
 * names the {@code recipients}: the user ids who must hear of it (the gateway delivers to exactly
 * those). A removed member is a recipient of their own removal and of nothing after it.
 */
public final class SessionEvents {

    public static final int VERSION = 1;

    private SessionEvents() {
    }

    /** A member as events describe them. */
    public record MemberView(String userId, String role, int joinedEpoch) {
    }

    public record SessionCreated(String sessionId, String sessionType, String createdBy, int epoch,
            List<MemberView> members, List<String> recipients) {
        public static final String TYPE = "SessionCreated";
    }

    /** Members joined together with the rotation to {@code epoch}. */
    public record MembersAdded(String sessionId, int epoch, String addedBy, List<MemberView> added,
            List<String> recipients) {
        public static final String TYPE = "MembersAdded";
    }

    /** A member was removed, left, or their account was deleted ({@code reason} REMOVED, LEFT, DELETED). */
    public record MemberRemoved(String sessionId, String userId, String removedBy, String reason, int leftEpoch,
            long leftSeq, List<String> recipients) {
        public static final String TYPE = "MemberRemoved";
    }

    public record SessionKeyRotated(String sessionId, int epoch, String rotatedBy, List<String> recipients) {
        public static final String TYPE = "SessionKeyRotated";
    }

    /** Sends are refused until a member rotates to {@code epoch + 1}; {@code reason} says why. */
    public record RekeyRequired(String sessionId, int epoch, String reason, List<String> recipients) {
        public static final String TYPE = "RekeyRequired";
    }
}
