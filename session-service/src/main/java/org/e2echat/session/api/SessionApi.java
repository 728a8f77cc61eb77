package org.e2echat.session.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.e2echat.session.domain.Envelope;
import org.e2echat.session.domain.KnownUser;
import org.e2echat.session.domain.Member;
import org.e2echat.session.domain.Model.Role;
import org.e2echat.session.domain.Model.SessionType;
import org.e2echat.session.domain.Session;
import org.e2echat.session.domain.SessionService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of session-service. */
public final class SessionApi {

    private SessionApi() {
    }

    public record MemberRequest(String userId, @Schema(enumeration = {"ADMIN", "MEMBER"}) Role role) {
        SessionService.MemberInput toInput() {
            return new SessionService.MemberInput(userId, role);
        }
    }

    @Schema(description = "The epoch key wrapped for one member (HPKE, done by the client) and signed by the wrapper; see docs/crypto.md")
    public record EnvelopeRequest(String recipientId, Integer recipientKeyVersion, Integer senderKeyVersion,
            String suite, @Schema(description = "base64, 32 bytes") String enc,
            @Schema(description = "base64, 48 bytes") String ciphertext,
            @Schema(description = "base64, 64 bytes") String signature) {
        SessionService.EnvelopeInput toInput() {
            return new SessionService.EnvelopeInput(recipientId, recipientKeyVersion, senderKeyVersion, suite, enc,
                    ciphertext, signature);
        }
    }

    public record CreateSessionRequest(
            @Schema(description = "optional, chosen by the client (a lower-case UUID) so that epoch-1 envelopes can bind it; "
                    + "generated when absent") String sessionId,
            SessionType type,
            @Schema(description = "the other members (not you)") List<MemberRequest> members,
            @Schema(description = "epoch-1 envelopes for every member, you included") List<EnvelopeRequest> envelopes) {
    }

    public record RotateRequest(@Schema(description = "must be currentEpoch + 1") Integer epoch,
            @Schema(description = "members joining with this rotation (owners and admins only)") List<MemberRequest> addMembers,
            @Schema(description = "one envelope per member after the rotation") List<EnvelopeRequest> envelopes) {
    }

    public record MemberResponse(String userId, String username, String displayName, boolean deleted, String role,
            int joinedEpoch, boolean active, Integer leftEpoch, Long leftSeq, String leftReason) {

        static MemberResponse of(Member m, Map<String, KnownUser> names) {
            KnownUser u = names.get(m.userId());
            return new MemberResponse(m.userId(), u == null ? null : u.username(), u == null ? null : u.displayName(),
                    u != null && u.deleted(), m.role().name(), m.joinedEpoch(), m.active(), m.leftEpoch(), m.leftSeq(),
                    m.leftReason() == null ? null : m.leftReason().name());
        }
    }

    @Schema(description = "A session as the caller sees it. A session the caller left shows only its id, type and membership.")
    public record SessionResponse(String id, String type,
            @Schema(enumeration = {"ACTIVE", "LEFT"}) String membership, Integer currentEpoch, Boolean rekeyRequired,
            String rekeyReason, Long lastMessageSeq, Instant lastMessageAt, Instant lastActivityAt,
            Integer myJoinedEpoch, Integer myLeftEpoch, Long myLeftSeq, List<MemberResponse> members) {

        static SessionResponse of(Session s, String callerId, Map<String, KnownUser> names) {
            Member me = s.member(callerId).orElseThrow();
            if (!me.active()) {
                return new SessionResponse(s.id(), s.type().name(), "LEFT", null, null, null, null, null, null,
                        me.joinedEpoch(), me.leftEpoch(), me.leftSeq(), null);
            }
            return new SessionResponse(s.id(), s.type().name(), "ACTIVE", s.currentEpoch(), s.rekeyRequired(),
                    s.rekeyReason() == null ? null : s.rekeyReason().name(), s.lastMessageSeq(), s.lastMessageAt(),
                    s.lastActivityAt(), me.joinedEpoch(), null, null,
                    s.activeMembers().stream().map(m -> MemberResponse.of(m, names)).toList());
        }
    }

    public record SessionPage(List<SessionResponse> sessions, int page, int size, boolean hasMore) {
    }

    public record EnvelopeResponse(String sessionId, int epoch, String recipientId, int recipientKeyVersion,
            String senderId, int senderKeyVersion, String suite, String enc, String ciphertext, String signature,
            Instant createdAt) {

        static EnvelopeResponse of(Envelope e) {
            return new EnvelopeResponse(e.sessionId(), e.epoch(), e.recipientId(), e.recipientKeyVersion(), e.senderId(),
                    e.senderKeyVersion(), e.suite(), e.enc(), e.ciphertext(), e.signature(), e.createdAt());
        }
    }

    @Schema(description = "For message-service: the caller may send now at this epoch to these recipients")
    public record SendPermissionResponse(String sessionId, String senderId, int epoch, int senderKeyVersion,
            String senderUsername, String senderDisplayName, List<String> recipients) {
    }

    @Schema(description = "For message-service and the gateway: the caller's membership range")
    public record AccessResponse(String sessionId, String userId, boolean active, int joinedEpoch, Integer leftEpoch,
            Long leftSeq, int currentEpoch) {
    }
}
