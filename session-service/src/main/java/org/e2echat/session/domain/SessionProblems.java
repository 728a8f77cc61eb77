package org.e2echat.session.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.e2echat.common.problem.ProblemException;

/** The failures of session-service, each with a stable problem type. */
final class SessionProblems {

    private SessionProblems() {
    }

    /** Non-members learn nothing, not even that the session exists. */
    static ProblemException notFound() {
        return ProblemException.notFound("No such session.");
    }

    static ProblemException membershipEnded(Member m) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("leftEpoch", m.leftEpoch());
        ext.put("leftSeq", m.leftSeq());
        return new ProblemException(403, "membership-ended", "Membership ended",
                "You are no longer a member of this session.", ext, Map.of());
    }

    static ProblemException notAllowed(String detail) {
        return new ProblemException(403, "forbidden", "Forbidden", detail);
    }

    static ProblemException staleEpoch(int currentEpoch) {
        return new ProblemException(409, "stale-epoch", "Stale epoch",
                "The session is at epoch " + currentEpoch + ".", Map.of("currentEpoch", currentEpoch), Map.of());
    }

    static ProblemException rekeyRequired(Session s) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("currentEpoch", s.currentEpoch());
        ext.put("reason", s.rekeyReason() == null ? null : s.rekeyReason().name());
        return new ProblemException(409, "rekey-required", "Rekey required",
                "The session key must be rotated to epoch " + (s.currentEpoch() + 1) + " before sending.", ext, Map.of());
    }

    static ProblemException recipientMismatch(int currentEpoch, List<String> missing, List<String> extra,
            List<String> staleKeys) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("currentEpoch", currentEpoch);
        ext.put("missing", missing);
        ext.put("extra", extra);
        ext.put("staleKeys", staleKeys);
        return new ProblemException(409, "recipient-mismatch", "Envelopes do not match the members",
                "Provide exactly one envelope per member, each for the member's current key version.", ext, Map.of());
    }

    static ProblemException members(String slug, String detail, List<String> userIds) {
        return new ProblemException(422, slug, "Members cannot be used", detail, Map.of("userIds", userIds), Map.of());
    }
}
