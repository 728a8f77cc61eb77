package org.e2echat.client.sdk;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * One session's processed messages: dedupes by message id (delivery is at least once), keeps them
 * ordered by seq, and tracks the highest contiguous seq so that a gap can be caught up by paging.
 */
public final class Timeline {

    private final TreeMap<Long, ReceivedMessage> bySeq = new TreeMap<>();
    private final Set<String> seenIds = new HashSet<>();
    private long lastSeq;

    /** Adds a message; false when its id (or its seq) was already processed. */
    public synchronized boolean offer(ReceivedMessage message) {
        if (seenIds.contains(message.messageId()) || bySeq.containsKey(message.seq())) {
            return false;
        }
        seenIds.add(message.messageId());
        bySeq.put(message.seq(), message);
        while (bySeq.containsKey(lastSeq + 1)) {
            lastSeq++;
        }
        return true;
    }

    /** Whether this message id was already processed. */
    public synchronized boolean seen(String messageId) {
        return seenIds.contains(messageId);
    }

    /** The highest seq up to which every message was processed (the {@code after} for catch-up). */
    public synchronized long lastSeq() {
        return lastSeq;
    }

    /** Whether a live message with this seq leaves a gap that must be paged first. */
    public synchronized boolean gapBefore(long seq) {
        return seq > lastSeq + 1;
    }

    /** Messages in seq order. */
    public synchronized List<ReceivedMessage> messages() {
        return new ArrayList<>(bySeq.values());
    }
}
