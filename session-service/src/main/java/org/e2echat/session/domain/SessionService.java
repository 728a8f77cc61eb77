package org.e2echat.session.domain;

import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.e2echat.common.outbox.OutboxEvent;
import org.e2echat.common.problem.ProblemException;
import org.e2echat.common.validation.StrictBase64;
import org.e2echat.contracts.events.SessionEvents;
import org.e2echat.contracts.identity.IdentityEncoding;
import org.e2echat.session.domain.Model.LeaveReason;
import org.e2echat.session.domain.Model.RekeyReason;
import org.e2echat.session.domain.Model.Role;
import org.e2echat.session.domain.Model.SessionType;
import org.e2echat.session.domain.Stores.EnvelopeStore;
import org.e2echat.session.domain.Stores.SessionStore;
import org.e2echat.session.domain.Stores.UserDirectory;

/**
 * The rules that keep removed people out: who may create, rotate, add, remove and send; exact
 * envelope sets per epoch; first-rotation-wins; and every trigger that requires a new key.
 */
public final class SessionService {

    /** HPKE X25519 encapsulated key, AES-256-GCM wrapped 32-byte key + tag, Ed25519 signature. */
    static final int ENC_BYTES = 32;
    static final int WRAPPED_KEY_BYTES = 48;
    static final int SIGNATURE_BYTES = 64;
    private static final int MAX_CAS_ATTEMPTS = 10;

    public record MemberInput(String userId, Role role) {
    }

    public record EnvelopeInput(String recipientId, Integer recipientKeyVersion, Integer senderKeyVersion, String suite,
            String enc, String ciphertext, String signature) {
    }

    public record Created(Session session, boolean existing) {
    }

    /** Who may receive a message sent now at the current epoch, and the sender's names at send time. */
    public record SendPermission(String sessionId, int epoch, List<String> recipients, KnownUser sender,
            int senderKeyVersion) {
    }

    /** A user's membership range in a session. */
    public record Access(String sessionId, String userId, boolean active, int joinedEpoch, Integer leftEpoch,
            Long leftSeq, int currentEpoch) {
    }

    public record Policy(Duration maxEpochAge, long maxMessagesPerEpoch, int maxMembers) {
    }

    private final SessionStore sessions;
    private final EnvelopeStore envelopes;
    private final UserDirectory users;
    private final BiFunction<String, Object, OutboxEvent> events;
    private final Runnable outboxWake;
    private final Policy policy;
    private final Clock clock;

    public SessionService(SessionStore sessions, EnvelopeStore envelopes, UserDirectory users,
            BiFunction<String, Object, OutboxEvent> events, Runnable outboxWake, Policy policy, Clock clock) {
        this.sessions = sessions;
        this.envelopes = envelopes;
        this.users = users;
        this.events = events;
        this.outboxWake = outboxWake;
        this.policy = policy;
        this.clock = clock;
    }

    // ---- creation ------------------------------------------------------------------------------

    /**
     * Creates a session at epoch 1. The client should choose {@code requestedId} (a UUID), because
     * its epoch-1 envelopes bind the session id; when absent the server generates one.
     */
    public Uni<Created> create(String callerId, String requestedId, SessionType type, List<MemberInput> others,
            List<EnvelopeInput> envs) {
        if (type == null) {
            throw ProblemException.badRequest("invalid-session", "type must be DIRECT or GROUP.");
        }
        List<MemberInput> invited = others == null ? List.of() : others.stream()
                .filter(m -> m != null && !callerId.equals(m.userId())).toList();
        Set<String> ids = new LinkedHashSet<>();
        for (MemberInput m : invited) {
            if (m.userId() == null || !ids.add(m.userId())) {
                throw ProblemException.badRequest("invalid-members", "members must be distinct user ids.");
            }
            if (m.role() == Role.OWNER) {
                throw ProblemException.badRequest("invalid-members", "only the creator is OWNER; invite as ADMIN or MEMBER.");
            }
        }
        if (type == SessionType.DIRECT && invited.size() != 1) {
            throw ProblemException.badRequest("invalid-members", "a direct session has exactly one other member.");
        }
        if (type == SessionType.GROUP && (invited.isEmpty() || invited.size() + 1 > policy.maxMembers())) {
            throw ProblemException.badRequest("invalid-members",
                    "a group has 2 to " + policy.maxMembers() + " members including you.");
        }
        List<String> all = new ArrayList<>();
        all.add(callerId);
        all.addAll(ids);
        Instant now = clock.instant();
        return usable(all).flatMap(known -> {
            List<Envelope> wrapped = checkedEnvelopes(envs, UUID.randomUUID().toString(), "pending", 1, callerId,
                    Set.copyOf(all), known, 0);
            String sessionId = requestedId != null ? requestedId : UUID.randomUUID().toString();
            String pair = type == SessionType.DIRECT ? pairKey(callerId, invited.get(0).userId()) : null;
            Uni<Session> claim = pair != null
                    ? claimDirect(pair, sessionId, callerId, invited.get(0).userId(), 3)
                    : Uni.createFrom().nullItem();
            return claim.flatMap(existing -> {
                if (existing != null) {
                    return Uni.createFrom().item(new Created(existing, true));
                }
                String rotationId = wrapped.get(0).rotationId();
                List<Envelope> stored = wrapped.stream().map(e -> withSession(e, sessionId)).toList();
                List<Member> members = new ArrayList<>();
                members.add(new Member(callerId, type == SessionType.DIRECT ? Role.MEMBER : Role.OWNER, 1, now,
                        known.get(callerId).currentKeyVersion(), null, null, null, null));
                for (MemberInput m : invited) {
                    Role role = type == SessionType.DIRECT ? Role.MEMBER : (m.role() == null ? Role.MEMBER : m.role());
                    members.add(new Member(m.userId(), role, 1, now, known.get(m.userId()).currentKeyVersion(),
                            null, null, null, null));
                }
                OutboxEvent created = events.apply(SessionEvents.SessionCreated.TYPE, new SessionEvents.SessionCreated(
                        sessionId, type.name(), callerId, 1, views(members), List.copyOf(all)));
                Session session = new Session(sessionId, type, callerId, now, 1,
                        List.of(new Session.EpochRecord(1, rotationId, callerId, now)), false, null, now, 0, 0, null,
                        now, members, 0, List.of(created));
                Uni<Void> release = pair != null ? sessions.releaseDirect(pair, sessionId) : Uni.createFrom().voidItem();
                return envelopes.insertAll(stored)
                        .flatMap(v -> sessions.insert(session))
                        // the pair was claimed for a session that was not created: free it again, so
                        // that it never points at somebody else's session
                        .onFailure().call(e -> release)
                        .onFailure(Stores.SessionExists.class).transform(e -> new ProblemException(409,
                                "session-exists", "Session id taken", "Choose another sessionId."))
                        .invoke(v -> outboxWake.run())
                        .replaceWith(new Created(session, false));
            });
        });
    }

    // ---- reads ---------------------------------------------------------------------------------

    /** The session as a current member sees it. */
    public Uni<Session> get(String callerId, String sessionId) {
        return sessions.get(sessionId).map(s -> {
            activeOrFail(s, callerId);
            return s;
        });
    }

    /** One page of the caller's sessions, plus one more if there is a next page. */
    public Uni<List<Session>> list(String callerId, int page, int size) {
        if (page < 0 || size < 1 || size > 100 || page > 10_000) {
            throw ProblemException.badRequest("invalid-paging", "page must be 0 to 10000 and size 1 to 100.");
        }
        return sessions.forMember(callerId, page * size, size + 1);
    }

    public Uni<Map<String, KnownUser>> names(List<Session> list) {
        Set<String> ids = new HashSet<>();
        list.forEach(s -> s.members().forEach(m -> ids.add(m.userId())));
        return users.find(ids);
    }

    /** The caller's own envelopes: every epoch of their membership, or one epoch. */
    public Uni<List<Envelope>> envelopes(String callerId, String sessionId, Integer epoch) {
        return sessions.get(sessionId).flatMap(s -> {
            Member m = s == null ? null : s.member(callerId).orElse(null);
            if (m == null) {
                throw SessionProblems.notFound();
            }
            int last = m.active() ? s.currentEpoch() : m.leftEpoch();
            Map<Integer, String> rotations = new LinkedHashMap<>();
            for (int e = m.joinedEpoch(); e <= last; e++) {
                if (epoch == null || epoch == e) {
                    int ep = e;
                    s.rotationOf(e).ifPresent(r -> rotations.put(ep, r));
                }
            }
            if (epoch != null && rotations.isEmpty()) {
                throw ProblemException.notFound("You hold no envelope for epoch " + epoch + " of this session.");
            }
            return envelopes.forRecipient(sessionId, callerId, rotations);
        });
    }

    /**
     * May the caller send at {@code epoch} now? Read from the stored session on every call, so a
     * removal that has returned is seen by every later check.
     */
    public Uni<SendPermission> sendPermission(String callerId, String sessionId, int epoch) {
        return sessions.get(sessionId).flatMap(s -> {
            Member m = activeOrFail(s, callerId);
            if (!s.rekeyRequired() && epochTooOld(s)) {
                return requireRekey(sessionId, RekeyReason.POLICY_AGE)
                        .flatMap(updated -> Uni.createFrom().failure(SessionProblems.rekeyRequired(updated)));
            }
            if (s.rekeyRequired()) {
                throw SessionProblems.rekeyRequired(s);
            }
            if (epoch != s.currentEpoch()) {
                throw SessionProblems.staleEpoch(s.currentEpoch());
            }
            return users.get(callerId).flatMap(sender -> {
                if (sender != null && sender.keyExpired(clock.instant())) {
                    // the sender's key expired: nothing may be signed with it; like a revocation,
                    // the session needs a key for the renewed identity first
                    return requireRekey(sessionId, RekeyReason.KEY_EXPIRED)
                            .flatMap(updated -> Uni.createFrom().failure(SessionProblems.rekeyRequired(updated)));
                }
                return Uni.createFrom().item(new SendPermission(sessionId, s.currentEpoch(), s.activeMemberIds(),
                        sender, m.keyVersion()));
            });
        });
    }

    public Uni<Access> access(String callerId, String sessionId) {
        return sessions.get(sessionId).map(s -> {
            Member m = s == null ? null : s.member(callerId).orElse(null);
            if (m == null) {
                throw SessionProblems.notFound();
            }
            return new Access(sessionId, callerId, m.active(), m.joinedEpoch(), m.leftEpoch(), m.leftSeq(),
                    s.currentEpoch());
        });
    }

    // ---- rotation and membership ---------------------------------------------------------------

    /** Rotates to {@code epoch} (= current + 1), optionally adding members; first valid rotation wins. */
    public Uni<Session> rotate(String callerId, String sessionId, int epoch, List<MemberInput> add,
            List<EnvelopeInput> envs) {
        List<MemberInput> adding = add == null ? List.of() : add;
        return casLoop(sessionId, s -> {
            Member caller = activeOrFail(s, callerId);
            if (epoch != s.currentEpoch() + 1) {
                throw SessionProblems.staleEpoch(s.currentEpoch());
            }
            Set<String> newIds = new LinkedHashSet<>();
            for (MemberInput m : adding) {
                if (m == null || m.userId() == null || !newIds.add(m.userId()) || m.role() == Role.OWNER) {
                    throw ProblemException.badRequest("invalid-members",
                            "members to add must be distinct user ids with role ADMIN or MEMBER.");
                }
                if (s.activeMember(m.userId()).isPresent()) {
                    throw ProblemException.badRequest("invalid-members", m.userId() + " is already a member.");
                }
            }
            if (!adding.isEmpty()) {
                if (s.type() == SessionType.DIRECT) {
                    throw SessionProblems.notAllowed("A direct session has exactly two members.");
                }
                if (caller.role() == Role.MEMBER) {
                    throw SessionProblems.notAllowed("Only owners and admins add members.");
                }
                if (s.activeMembers().size() + adding.size() > policy.maxMembers()) {
                    throw ProblemException.badRequest("invalid-members", "a group has at most " + policy.maxMembers()
                            + " members.");
                }
            }
            Set<String> recipients = new LinkedHashSet<>(s.activeMemberIds());
            recipients.addAll(newIds);
            return usable(List.copyOf(recipients)).flatMap(known -> {
                String rotationId = UUID.randomUUID().toString();
                List<Envelope> wrapped = checkedEnvelopes(envs, rotationId, sessionId, epoch, callerId, recipients,
                        known, s.currentEpoch());
                Instant now = clock.instant();
                Session.Builder next = s.change().epoch(new Session.EpochRecord(epoch, rotationId, callerId, now), now);
                for (Member m : s.activeMembers()) {
                    next.replaceMember(m.withKeyVersion(known.get(m.userId()).currentKeyVersion()));
                }
                List<Member> added = new ArrayList<>();
                for (MemberInput m : adding) {
                    Member joined = new Member(m.userId(), m.role() == null ? Role.MEMBER : m.role(), epoch, now,
                            known.get(m.userId()).currentKeyVersion(), null, null, null, null);
                    next.replaceMember(joined);
                    added.add(joined);
                }
                List<String> hear = List.copyOf(recipients);
                if (!added.isEmpty()) {
                    next.event(events.apply(SessionEvents.MembersAdded.TYPE,
                            new SessionEvents.MembersAdded(sessionId, epoch, callerId, views(added), hear)));
                }
                next.event(events.apply(SessionEvents.SessionKeyRotated.TYPE,
                        new SessionEvents.SessionKeyRotated(sessionId, epoch, callerId, hear)));
                return envelopes.insertAll(wrapped).replaceWith(next.build());
            });
        });
    }

    /** An owner or admin removes a member; the session then needs a new key. */
    public Uni<Session> remove(String callerId, String sessionId, String targetId) {
        return casLoop(sessionId, s -> {
            Member caller = activeOrFail(s, callerId);
            if (s.type() == SessionType.DIRECT) {
                throw SessionProblems.notAllowed("Nobody is removed from a direct session; leave it instead.");
            }
            if (callerId.equals(targetId)) {
                throw SessionProblems.notAllowed("Use leave to remove yourself.");
            }
            Member target = s.activeMember(targetId).orElseThrow(
                    () -> ProblemException.notFound("That user is not a member of this session."));
            boolean allowed = caller.role() == Role.OWNER
                    || (caller.role() == Role.ADMIN && target.role() == Role.MEMBER);
            if (!allowed) {
                throw SessionProblems.notAllowed("Owners remove anyone; admins remove members.");
            }
            return Uni.createFrom().item(ending(s, target, callerId, LeaveReason.REMOVED, RekeyReason.MEMBER_REMOVED));
        });
    }

    /** The caller leaves; ownership passes on if they were the last owner. */
    public Uni<Session> leave(String callerId, String sessionId) {
        return casLoop(sessionId, s -> {
            Member caller = activeOrFail(s, callerId);
            return Uni.createFrom().item(ending(s, caller, callerId, LeaveReason.LEFT, RekeyReason.MEMBER_LEFT));
        });
    }

    private Session ending(Session s, Member who, String byId, LeaveReason reason, RekeyReason rekey) {
        Instant now = clock.instant();
        List<String> before = s.activeMemberIds();
        Session.Builder next = s.change()
                .replaceMember(who.leaving(s.currentEpoch(), s.lastMessageSeq(), now, reason))
                .touched(now);
        List<Member> remaining = s.activeMembers().stream().filter(m -> !m.userId().equals(who.userId())).toList();
        if (who.role() == Role.OWNER && remaining.stream().noneMatch(m -> m.role() == Role.OWNER)
                && s.type() == SessionType.GROUP) {
            remaining.stream()
                    .min(Comparator.comparing((Member m) -> m.role() == Role.ADMIN ? 0 : 1)
                            .thenComparing(Member::joinedAt))
                    .ifPresent(heir -> next.replaceMember(heir.withRole(Role.OWNER)));
        }
        next.event(events.apply(SessionEvents.MemberRemoved.TYPE, new SessionEvents.MemberRemoved(s.id(),
                who.userId(), byId, reason.name(), s.currentEpoch(), s.lastMessageSeq(), before)));
        if (!remaining.isEmpty()) {
            next.rekey(rekey);
            next.event(events.apply(SessionEvents.RekeyRequired.TYPE, new SessionEvents.RekeyRequired(s.id(),
                    s.currentEpoch(), rekey.name(), remaining.stream().map(Member::userId).toList())));
        }
        return next.build();
    }

    // ---- reactions to other services' events ---------------------------------------------------

    /**
     * A {@code chat.users} event, as the user's state after it. The projection takes it only if it
     * is newer than what it holds, so duplicates and late events change nothing. Then, newer or not,
     * every session of the user is brought in line with the projection: a deleted user leaves, and
     * a session whose envelope for the user targets another key than their current one needs a
     * rekey. That step is idempotent and runs on every delivery, because a redelivery can follow a
     * crash between the projection write and the session updates.
     */
    public Uni<Void> onUserEvent(KnownUser announced, boolean keyExpired) {
        return users.applyIfNewer(announced)
                .flatMap(applied -> users.get(announced.userId()))
                .flatMap(known -> {
                    if (known == null) {
                        return Uni.createFrom().voidItem();
                    }
                    return known.deleted() ? leaveEverySession(known.userId()) : rekeyStaleKeys(known, keyExpired);
                });
    }

    /**
     * Envelopes to any key but the current usable one are stale: wrapped to a replaced, revoked or
     * expired key. The reason says which ({@code keyExpired}: the event announced an expiry).
     */
    private Uni<Void> rekeyStaleKeys(KnownUser user, boolean keyExpired) {
        Integer current = user.usableKeyVersion(clock.instant());
        RekeyReason reason = current != null ? RekeyReason.KEY_ROTATED
                : keyExpired || user.keyExpired(clock.instant()) ? RekeyReason.KEY_EXPIRED : RekeyReason.KEY_REVOKED;
        return sessions.activeFor(user.userId()).flatMap(list -> each(list, s -> {
            Member m = s.activeMember(user.userId()).orElse(null);
            boolean stale = m != null && (current == null || m.keyVersion() != current);
            return stale ? requireRekey(s.id(), reason).replaceWithVoid() : Uni.createFrom().voidItem();
        }));
    }

    /** A deleted account leaves every session it is still in. */
    private Uni<Void> leaveEverySession(String userId) {
        return sessions.activeFor(userId)
                .flatMap(list -> each(list, s -> casLoop(s.id(), current -> {
                    Member m = current.activeMember(userId).orElse(null);
                    if (m == null) {
                        return Uni.createFrom().item((Session) null);
                    }
                    return Uni.createFrom().item(
                            ending(current, m, userId, LeaveReason.DELETED, RekeyReason.MEMBER_DELETED));
                }).replaceWithVoid()));
    }

    /** Keeps the activity summary current and enforces the message-count policy. */
    public Uni<Void> onMessageStored(String sessionId, long seq, int epoch, Instant at) {
        return sessions.recordMessage(sessionId, seq, epoch, at).flatMap(s -> {
            if (s != null && !s.rekeyRequired() && s.currentEpoch() == epoch
                    && s.messagesInEpoch() >= policy.maxMessagesPerEpoch()) {
                return requireRekey(sessionId, RekeyReason.POLICY_MESSAGES).replaceWithVoid();
            }
            return Uni.createFrom().voidItem();
        });
    }

    /** Flags every session whose epoch is older than the policy allows. */
    public Uni<Integer> enforceEpochAge() {
        return sessions.epochsOlderThan(clock.instant().minus(policy.maxEpochAge()), 500)
                .flatMap(list -> each(list, s -> requireRekey(s.id(), RekeyReason.POLICY_AGE).replaceWithVoid())
                        .replaceWith(list.size()));
    }

    private Uni<Session> requireRekey(String sessionId, RekeyReason reason) {
        return casLoop(sessionId, s -> {
            if (s.rekeyRequired()) {
                return Uni.createFrom().item((Session) null);
            }
            Session.Builder next = s.change().rekey(reason);
            next.event(events.apply(SessionEvents.RekeyRequired.TYPE, new SessionEvents.RekeyRequired(s.id(),
                    s.currentEpoch(), reason.name(), s.activeMemberIds())));
            return Uni.createFrom().item(next.build());
        });
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Read, decide, compare-and-set; retried when another writer got in between. A decision of
     * null means "nothing to change" and yields the session as read.
     */
    private Uni<Session> casLoop(String sessionId, Function<Session, Uni<Session>> decide) {
        return Uni.createFrom().deferred(() -> sessions.get(sessionId).flatMap(s -> {
            if (s == null) {
                throw SessionProblems.notFound();
            }
            return decide.apply(s).flatMap(changed -> {
                if (changed == null) {
                    return Uni.createFrom().item(s);
                }
                return sessions.update(changed).map(ok -> {
                    if (!ok) {
                        throw new RevisionConflict();
                    }
                    return changed;
                });
            });
        })).onFailure(RevisionConflict.class).retry().atMost(MAX_CAS_ATTEMPTS)
                .onFailure(RevisionConflict.class).transform(e -> ProblemException.conflict("concurrent-update",
                        "The session changed concurrently; retry."))
                .invoke(s -> outboxWake.run());
    }

    private boolean epochTooOld(Session s) {
        return s.epochStartedAt() != null
                && s.epochStartedAt().plus(policy.maxEpochAge()).isBefore(clock.instant());
    }

    private static Member activeOrFail(Session s, String userId) {
        Member m = s == null ? null : s.member(userId).orElse(null);
        if (m == null) {
            throw SessionProblems.notFound();
        }
        if (!m.active()) {
            throw SessionProblems.membershipEnded(m);
        }
        return m;
    }

    /** Every listed user is known, not deleted, and has an active key that has not expired. */
    private Uni<Map<String, KnownUser>> usable(List<String> ids) {
        Instant now = clock.instant();
        return users.find(ids).map(known -> {
            List<String> unknown = ids.stream().filter(id -> !known.containsKey(id)).toList();
            if (!unknown.isEmpty()) {
                throw SessionProblems.members("unknown-member",
                        "Unknown user ids (a user registered moments ago may take a second to appear; retry).", unknown);
            }
            List<String> unavailable = ids.stream()
                    .filter(id -> known.get(id).usableKeyVersion(now) == null).toList();
            if (!unavailable.isEmpty()) {
                throw SessionProblems.members("member-unavailable",
                        "These users are deleted or have no active key (revoked or expired); an expired key"
                                + " becomes usable again when its owner uploads the next version.", unavailable);
            }
            return known;
        });
    }

    /** Shape checks and the exact-recipient rule; the server never looks inside an envelope. */
    private static List<Envelope> checkedEnvelopes(List<EnvelopeInput> inputs, String rotationId, String sessionId,
            int epoch, String senderId, Set<String> expected, Map<String, KnownUser> known, int currentEpoch) {
        if (inputs == null || inputs.isEmpty()) {
            throw ProblemException.badRequest("invalid-envelopes", "envelopes are required.");
        }
        if (inputs.size() > expected.size() + 64) {
            throw ProblemException.badRequest("invalid-envelopes", "too many envelopes.");
        }
        Set<String> seen = new HashSet<>();
        List<String> extra = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<Envelope> result = new ArrayList<>();
        Instant now = Instant.now();
        int senderVersion = known.get(senderId).currentKeyVersion();
        for (EnvelopeInput in : inputs) {
            if (in == null || in.recipientId() == null || in.recipientKeyVersion() == null
                    || in.senderKeyVersion() == null) {
                throw ProblemException.badRequest("invalid-envelopes",
                        "each envelope needs recipientId, recipientKeyVersion and senderKeyVersion.");
            }
            if (!seen.add(in.recipientId())) {
                throw ProblemException.badRequest("invalid-envelopes", "one envelope per recipient.");
            }
            if (!IdentityEncoding.SUITE_V1.equals(in.suite())) {
                throw ProblemException.unprocessable("unsupported-suite", "suite must be " + IdentityEncoding.SUITE_V1 + ".");
            }
            StrictBase64.decode("enc", in.enc(), ENC_BYTES);
            StrictBase64.decode("ciphertext", in.ciphertext(), WRAPPED_KEY_BYTES);
            StrictBase64.decode("signature", in.signature(), SIGNATURE_BYTES);
            if (in.senderKeyVersion() != senderVersion) {
                throw new ProblemException(409, "stale-sender-key", "Stale sender key",
                        "Sign envelopes with your current key version " + senderVersion + ".",
                        Map.of("senderKeyVersion", senderVersion), Map.of());
            }
            if (!expected.contains(in.recipientId())) {
                extra.add(in.recipientId());
                continue;
            }
            if (!in.recipientKeyVersion().equals(known.get(in.recipientId()).currentKeyVersion())) {
                stale.add(in.recipientId());
            }
            result.add(new Envelope(sessionId, epoch, rotationId, in.recipientId(), in.recipientKeyVersion(), senderId,
                    in.senderKeyVersion(), in.suite(), in.enc(), in.ciphertext(), in.signature(), now));
        }
        List<String> missing = expected.stream().filter(id -> !seen.contains(id)).toList();
        if (!missing.isEmpty() || !extra.isEmpty() || !stale.isEmpty()) {
            throw SessionProblems.recipientMismatch(currentEpoch, missing, extra, stale);
        }
        return result;
    }

    private static Envelope withSession(Envelope e, String sessionId) {
        return new Envelope(sessionId, e.epoch(), e.rotationId(), e.recipientId(), e.recipientKeyVersion(),
                e.senderId(), e.senderKeyVersion(), e.suite(), e.enc(), e.ciphertext(), e.signature(), e.createdAt());
    }

    private static List<SessionEvents.MemberView> views(List<Member> members) {
        return members.stream().map(m -> new SessionEvents.MemberView(m.userId(), m.role().name(), m.joinedEpoch()))
                .toList();
    }

    /**
     * Claims the direct pair for {@code sessionId}: null if the claim is ours, or the pair's existing
     * direct session. A claim left pointing at a session that does not exist, or that is not a
     * DIRECT of exactly these two users (a failed or crashed create), is taken over, so a stale or
     * planted claim can never hand out somebody else's session.
     */
    private Uni<Session> claimDirect(String pair, String sessionId, String a, String b, int attempts) {
        return sessions.claimDirect(pair, sessionId).flatMap(existingId -> {
            if (existingId == null) {
                return Uni.createFrom().nullItem();
            }
            return sessions.get(existingId).flatMap(existing -> {
                if (existing != null && isDirectOf(existing, a, b)) {
                    return Uni.createFrom().item(existing);
                }
                if (attempts <= 1) {
                    throw new ProblemException(409, "direct-session-busy", "Direct session busy",
                            "The direct session with this user is being changed; try again.");
                }
                return sessions.replaceDirectClaim(pair, existingId, sessionId).flatMap(taken -> taken
                        ? Uni.createFrom().<Session>nullItem()
                        : claimDirect(pair, sessionId, a, b, attempts - 1));
            });
        });
    }

    private static boolean isDirectOf(Session s, String a, String b) {
        if (s.type() != SessionType.DIRECT || s.members().size() != 2) {
            return false;
        }
        Set<String> ids = new HashSet<>();
        s.members().forEach(m -> ids.add(m.userId()));
        return ids.equals(Set.of(a, b));
    }

    private static String pairKey(String a, String b) {
        return a.compareTo(b) < 0 ? a + ":" + b : b + ":" + a;
    }

    private static <T> Uni<Void> each(List<T> items, Function<T, Uni<Void>> action) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (T item : items) {
            chain = chain.flatMap(v -> action.apply(item));
        }
        return chain;
    }

    private static final class RevisionConflict extends RuntimeException {
        RevisionConflict() {
            super("revision conflict", null, false, false);
        }
    }
}
