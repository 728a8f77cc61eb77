package org.e2echat.client.sdk;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * One session's processed messages: dedupes by message id (delivery is at least once), keeps them
 * ordered by seq, tracks the highest seq up to which everything was processed so that a gap can be
 * caught up by paging, and notices when the server's history disagrees with what it holds (a seq
 * that comes back with another message id), so that the client can repair it from the server.
 */
public final class Timeline {

    private final TreeMap<Long, ReceivedMessage> bySeq = new TreeMap<>();
    private final Map<String, Long> seqById = new HashMap<>();
    private long lastSeq;

    /** Adds a message; false when its id (or its seq) was already processed. */
    public synchronized boolean offer(ReceivedMessage message) {
        if (seqById.containsKey(message.messageId()) || bySeq.containsKey(message.seq())) {
            return false;
        }
        seqById.put(message.messageId(), message.seq());
        bySeq.put(message.seq(), message);
        advance();
        return true;
    }

    /** Whether this message id was already processed. */
    public synchronized boolean seen(String messageId) {
        return seqById.containsKey(messageId);
    }

    /**
     * Whether the server's claim "{@code messageId} is at {@code seq}" contradicts what is held:
     * another message holds that seq, or this id is held at another seq. Then the lowest seq
     * involved, from which the held view is suspect; empty when the claim is consistent.
     */
    public synchronized OptionalLong conflict(String messageId, long seq) {
        ReceivedMessage atSeq = bySeq.get(seq);
        Long heldSeq = seqById.get(messageId);
        boolean seqTaken = atSeq != null && !atSeq.messageId().equals(messageId);
        boolean idMoved = heldSeq != null && heldSeq != seq;
        if (!seqTaken && !idMoved) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(idMoved ? Math.min(seq, heldSeq) : seq);
    }

    /** Whether exactly this message is held at this seq. */
    public synchronized boolean holds(long seq, String messageId) {
        ReceivedMessage atSeq = bySeq.get(seq);
        return atSeq != null && atSeq.messageId().equals(messageId);
    }

    /** The lowest seq held, if any. */
    public synchronized OptionalLong firstSeq() {
        return bySeq.isEmpty() ? OptionalLong.empty() : OptionalLong.of(bySeq.firstKey());
    }

    /** The highest seq up to which every message was processed (the {@code after} for catch-up). */
    public synchronized long lastSeq() {
        return lastSeq;
    }

    /**
     * The server answered every message visible to this reader up to {@code seq}, paging from
     * {@code after} ≤ {@link #lastSeq()}: seqs it did not return there are not visible (earlier
     * epochs than this member's join), so they are no gap.
     */
    public synchronized void caughtUpTo(long seq) {
        lastSeq = Math.max(lastSeq, seq);
        advance();
    }

    /** Whether a live message with this seq leaves a gap that must be paged first. */
    public synchronized boolean gapBefore(long seq) {
        return seq > lastSeq + 1;
    }

    /**
     * Replaces everything held from {@code fromSeq} on by {@code server}: the server's complete
     * answer for seqs ≥ {@code fromSeq}, in seq order. The server's view wins: held messages it
     * does not list are dropped, and a listed id held at a lower seq moves to the listed one.
     *
     * @return the server messages whose ids were not held before
     */
    public synchronized List<ReceivedMessage> replaceFrom(long fromSeq, List<ReceivedMessage> server) {
        Set<String> dropped = new HashSet<>();
        bySeq.tailMap(fromSeq, true).values().forEach(m -> dropped.add(m.messageId()));
        bySeq.tailMap(fromSeq, true).clear();
        dropped.forEach(seqById::remove);
        long consistentUpTo = Math.min(lastSeq, fromSeq - 1);
        long previous = fromSeq - 1;
        List<ReceivedMessage> fresh = new ArrayList<>();
        for (ReceivedMessage m : server) {
            if (m.seq() <= previous) {
                throw new IllegalArgumentException("server messages must be ascending seqs from " + fromSeq);
            }
            previous = m.seq();
            Long lower = seqById.remove(m.messageId());
            if (lower != null) {
                bySeq.remove(lower);
                consistentUpTo = Math.min(consistentUpTo, lower - 1);
            } else if (!dropped.contains(m.messageId())) {
                fresh.add(m);
            }
            seqById.put(m.messageId(), m.seq());
            bySeq.put(m.seq(), m);
        }
        boolean complete = consistentUpTo >= fromSeq - 1;
        lastSeq = complete && !server.isEmpty() ? previous : consistentUpTo;
        advance();
        return fresh;
    }

    /** Messages in seq order. */
    public synchronized List<ReceivedMessage> messages() {
        return new ArrayList<>(bySeq.values());
    }

    private void advance() {
        while (bySeq.containsKey(lastSeq + 1)) {
            lastSeq++;
        }
    }
}
