package org.e2echat.message.domain;

import io.smallrye.mutiny.Uni;
import java.util.List;

/** What message-service asks session-service, as the user (their bearer token). */
public interface SessionAccess {

    /** Fails with the session-service's problem when the user may not send at {@code epoch} now. */
    Uni<Permission> sendPermission(String bearerToken, String sessionId, int epoch);

    /** Fails with 404 for users who were never members. */
    Uni<Membership> membership(String bearerToken, String sessionId);

    record Permission(String sessionId, String senderId, int epoch, int senderKeyVersion, String senderUsername,
            String senderDisplayName, List<String> recipients) {
    }

    record Membership(boolean active, int joinedEpoch, Integer leftEpoch, Long leftSeq, int currentEpoch) {
    }
}
