package org.e2echat.session.persistence;

import io.quarkus.mongodb.panache.common.MongoEntity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bson.codecs.pojo.annotations.BsonId;
import org.e2echat.common.outbox.OutboxDocument;
import org.e2echat.common.outbox.OutboxEvent;
import org.e2echat.session.domain.Member;
import org.e2echat.session.domain.Model;
import org.e2echat.session.domain.Session;

/** A session as stored: members, epoch records and pending events embedded. */
@MongoEntity(collection = "sessions")
public class SessionDocument {

    @BsonId
    public String id;
    public String type;
    public String createdBy;
    public Instant createdAt;
    public int currentEpoch;
    public List<EpochDoc> epochs = new ArrayList<>();
    public boolean rekeyRequired;
    public String rekeyReason;
    public Instant epochStartedAt;
    /** The epoch whose seq range {@code epochFirstSeq}..{@code epochLastSeq} has been counted. */
    public Integer countedEpoch;
    public Long epochFirstSeq;
    public Long epochLastSeq;
    public long lastMessageSeq;
    public Instant lastMessageAt;
    public Instant lastActivityAt;
    public List<MemberDoc> members = new ArrayList<>();
    public long revision;
    public List<OutboxDocument> outbox = new ArrayList<>();

    public static class EpochDoc {
        public int epoch;
        public String rotationId;
        public String rotatedBy;
        public Instant at;
    }

    public static class MemberDoc {
        public String userId;
        public String role;
        public int joinedEpoch;
        public Instant joinedAt;
        public int keyVersion;
        public Integer leftEpoch;
        public Long leftSeq;
        public Instant leftAt;
        public String leftReason;
    }


    static List<EpochDoc> epochs(Session s) {
        List<EpochDoc> list = new ArrayList<>();
        for (Session.EpochRecord e : s.epochs()) {
            EpochDoc d = new EpochDoc();
            d.epoch = e.epoch();
            d.rotationId = e.rotationId();
            d.rotatedBy = e.rotatedBy();
            d.at = e.at();
            list.add(d);
        }
        return list;
    }

    static List<MemberDoc> members(Session s) {
        List<MemberDoc> list = new ArrayList<>();
        for (Member m : s.members()) {
            MemberDoc d = new MemberDoc();
            d.userId = m.userId();
            d.role = m.role().name();
            d.joinedEpoch = m.joinedEpoch();
            d.joinedAt = m.joinedAt();
            d.keyVersion = m.keyVersion();
            d.leftEpoch = m.leftEpoch();
            d.leftSeq = m.leftSeq();
            d.leftAt = m.leftAt();
            d.leftReason = m.leftReason() == null ? null : m.leftReason().name();
            list.add(d);
        }
        return list;
    }


    static SessionDocument from(Session s) {
        SessionDocument d = new SessionDocument();
        d.id = s.id();
        d.type = s.type().name();
        d.createdBy = s.createdBy();
        d.createdAt = s.createdAt();
        d.currentEpoch = s.currentEpoch();
        d.epochs = epochs(s);
        d.rekeyRequired = s.rekeyRequired();
        d.rekeyReason = s.rekeyReason() == null ? null : s.rekeyReason().name();
        d.epochStartedAt = s.epochStartedAt();
        d.lastMessageSeq = s.lastMessageSeq();
        d.lastMessageAt = s.lastMessageAt();
        d.lastActivityAt = s.lastActivityAt();
        d.members = members(s);
        d.revision = s.revision();
        d.outbox = OutboxDocument.of(s.outbox());
        return d;
    }

    /** Messages stored in the current epoch: its seq range, seqs being dense per session. */
    long messagesInEpoch() {
        if (countedEpoch == null || countedEpoch != currentEpoch || epochFirstSeq == null || epochLastSeq == null) {
            return 0;
        }
        return epochLastSeq - epochFirstSeq + 1;
    }

    Session toDomain() {
        List<Session.EpochRecord> eps = new ArrayList<>();
        for (EpochDoc e : epochs == null ? List.<EpochDoc>of() : epochs) {
            eps.add(new Session.EpochRecord(e.epoch, e.rotationId, e.rotatedBy, e.at));
        }
        List<Member> ms = new ArrayList<>();
        for (MemberDoc m : members == null ? List.<MemberDoc>of() : members) {
            ms.add(new Member(m.userId, Model.Role.valueOf(m.role), m.joinedEpoch, m.joinedAt, m.keyVersion, m.leftEpoch,
                    m.leftSeq, m.leftAt, m.leftReason == null ? null : Model.LeaveReason.valueOf(m.leftReason)));
        }
        List<OutboxEvent> events = OutboxDocument.events(outbox);
        return new Session(id, Model.SessionType.valueOf(type), createdBy, createdAt, currentEpoch, eps, rekeyRequired,
                rekeyReason == null ? null : Model.RekeyReason.valueOf(rekeyReason), epochStartedAt, messagesInEpoch(),
                lastMessageSeq, lastMessageAt, lastActivityAt, ms, revision, events);
    }
}
