package org.e2echat.session.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.e2echat.common.outbox.OutboxEvent;
import org.e2echat.session.domain.Model.RekeyReason;
import org.e2echat.session.domain.Model.SessionType;

/**
 * A conversation. {@code epochs} records, per epoch, which rotation's envelopes won; the rest of
 * the state (members, rekey flag) changes only by compare-and-set on {@code revision}, together
 * with the events it causes. {@code outbox}: as read, the events not yet published; in a change
 * passed to {@code update}, the events that change appends. The activity fields
 * ({@code messagesInEpoch}, {@code lastMessage*}) are maintained separately from {@code chat.messages}
 * and never written by {@code update}.
 */
public record Session(String id, SessionType type, String createdBy, Instant createdAt, int currentEpoch,
        List<EpochRecord> epochs, boolean rekeyRequired, RekeyReason rekeyReason, Instant epochStartedAt,
        long messagesInEpoch, long lastMessageSeq, Instant lastMessageAt, Instant lastActivityAt, List<Member> members,
        long revision, List<OutboxEvent> outbox) {

    /** The rotation whose envelopes define {@code epoch}. */
    public record EpochRecord(int epoch, String rotationId, String rotatedBy, Instant at) {
    }

    public Session {
        epochs = List.copyOf(epochs);
        members = List.copyOf(members);
        outbox = List.copyOf(outbox);
    }

    public Optional<Member> member(String userId) {
        return members.stream().filter(m -> m.userId().equals(userId)).findFirst();
    }

    public Optional<Member> activeMember(String userId) {
        return member(userId).filter(Member::active);
    }

    public List<Member> activeMembers() {
        return members.stream().filter(Member::active).toList();
    }

    public List<String> activeMemberIds() {
        return activeMembers().stream().map(Member::userId).toList();
    }

    public Optional<String> rotationOf(int epoch) {
        return epochs.stream().filter(e -> e.epoch() == epoch).map(EpochRecord::rotationId).findFirst();
    }

    Builder change() {
        return new Builder(this);
    }

    /** Copy-on-write changes for one compare-and-set. */
    static final class Builder {
        private final Session base;
        private int currentEpoch;
        private final List<EpochRecord> epochs;
        private boolean rekeyRequired;
        private RekeyReason rekeyReason;
        private Instant epochStartedAt;
        private long messagesInEpoch;
        private Instant lastActivityAt;
        private final List<Member> members;
        private final List<OutboxEvent> outbox;

        private Builder(Session s) {
            base = s;
            currentEpoch = s.currentEpoch;
            epochs = new ArrayList<>(s.epochs);
            rekeyRequired = s.rekeyRequired;
            rekeyReason = s.rekeyReason;
            epochStartedAt = s.epochStartedAt;
            messagesInEpoch = s.messagesInEpoch;
            lastActivityAt = s.lastActivityAt;
            members = new ArrayList<>(s.members);
            outbox = new ArrayList<>();
        }

        Builder epoch(EpochRecord record, Instant at) {
            currentEpoch = record.epoch();
            epochs.add(record);
            rekeyRequired = false;
            rekeyReason = null;
            epochStartedAt = at;
            messagesInEpoch = 0;
            lastActivityAt = at;
            return this;
        }

        Builder rekey(RekeyReason reason) {
            rekeyRequired = true;
            rekeyReason = reason;
            return this;
        }

        Builder replaceMember(Member m) {
            members.removeIf(x -> x.userId().equals(m.userId()));
            members.add(m);
            return this;
        }

        Builder touched(Instant at) {
            lastActivityAt = at;
            return this;
        }

        Builder event(OutboxEvent e) {
            outbox.add(e);
            return this;
        }

        boolean rekeyRequired() {
            return rekeyRequired;
        }

        Session build() {
            return new Session(base.id, base.type, base.createdBy, base.createdAt, currentEpoch, epochs, rekeyRequired,
                    rekeyReason, epochStartedAt, messagesInEpoch, base.lastMessageSeq, base.lastMessageAt,
                    lastActivityAt, members, base.revision, outbox);
        }
    }
}
