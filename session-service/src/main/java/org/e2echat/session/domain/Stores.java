package org.e2echat.session.domain;

import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The persistence ports of session-service. */
public final class Stores {

    private Stores() {
    }

    /** Thrown by {@link SessionStore#insert} when the session id is taken. */
    public static final class SessionExists extends RuntimeException {
        public SessionExists() {
            super("session exists", null, false, false);
        }
    }

    /** Sessions, with compare-and-set on revision for everything but activity counters. */
    public interface SessionStore {

        /** Inserts a new session; fails with {@link SessionExists} when its id is taken. */
        Uni<Void> insert(Session session);

        Uni<Session> get(String id);

        /** Applies the changed state if the stored revision is still {@code session.revision()}. */
        Uni<Boolean> update(Session session);

        /** Sessions the user is or was a member of, most recently active first, from {@code offset}. */
        Uni<List<Session>> forMember(String userId, int offset, int limit);

        /** Sessions the user is currently an active member of. */
        Uni<List<Session>> activeFor(String userId);

        /**
         * Records a stored message; returns the session as updated, or null if unknown. Idempotent
         * and order-free: a message delivered twice, or late, is counted once in its epoch.
         */
        Uni<Session> recordMessage(String sessionId, long seq, int epoch, Instant at);

        /** Sessions whose current epoch started before {@code startedBefore} and are not already flagged. */
        Uni<List<Session>> epochsOlderThan(Instant startedBefore, int limit);

        /**
         * Claims the direct session between two users: returns null if the claim is ours, or the id
         * of the session that already holds it.
         */
        Uni<String> claimDirect(String pairKey, String sessionId);

        /**
         * Moves the pair's claim from {@code expectedSessionId} to {@code sessionId} if it still
         * points at {@code expectedSessionId}; returns whether it did.
         */
        Uni<Boolean> replaceDirectClaim(String pairKey, String expectedSessionId, String sessionId);

        /** Drops the pair's claim if it still points at {@code sessionId}. */
        Uni<Void> releaseDirect(String pairKey, String sessionId);
    }

    public interface EnvelopeStore {

        Uni<Void> insertAll(List<Envelope> envelopes);

        /** The recipient's envelopes of the given epochs, each from the named (winning) rotation. */
        Uni<List<Envelope>> forRecipient(String sessionId, String recipientId, Map<Integer, String> rotationByEpoch);
    }

    /** The user projection. */
    public interface UserDirectory {

        Uni<Map<String, KnownUser>> find(Collection<String> userIds);

        /**
         * Stores {@code user} unless the projection already holds the user at the same or a higher
         * revision; true when it stored it. Duplicates and late events therefore change nothing.
         */
        Uni<Boolean> applyIfNewer(KnownUser user);

        Uni<KnownUser> get(String userId);
    }
}
