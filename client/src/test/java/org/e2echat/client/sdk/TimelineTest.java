package org.e2echat.client.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Dedupe by message id, ordering by seq, and gap detection for catch-up. */
class TimelineTest {

    private static ReceivedMessage message(String id, long seq) {
        return new ReceivedMessage(id, "s1", seq, 2, "alice", "alice", "Alice", "text", "t" + seq, null);
    }

    @Test
    void dropsARedeliveredMessage() {
        Timeline t = new Timeline();
        assertTrue(t.offer(message("m1", 1)));
        assertFalse(t.offer(message("m1", 1)));
        assertEquals(1, t.messages().size());
        assertTrue(t.seen("m1"));
        assertFalse(t.seen("m2"));
    }

    @Test
    void ordersBySeqWhateverTheArrivalOrder() {
        Timeline t = new Timeline();
        t.offer(message("m3", 3));
        t.offer(message("m1", 1));
        t.offer(message("m2", 2));
        assertEquals(List.of(1L, 2L, 3L), t.messages().stream().map(ReceivedMessage::seq).toList());
    }

    @Test
    void lastSeqStopsAtTheFirstGap() {
        Timeline t = new Timeline();
        t.offer(message("m1", 1));
        t.offer(message("m3", 3));
        assertEquals(1, t.lastSeq());
        assertTrue(t.gapBefore(4));
        assertFalse(t.gapBefore(2));
        t.offer(message("m2", 2));
        assertEquals(3, t.lastSeq(), "filling the gap advances past the messages held after it");
        assertFalse(t.gapBefore(4));
    }

    @Test
    void aSecondMessageClaimingAnExistingSeqIsRefused() {
        Timeline t = new Timeline();
        t.offer(message("m1", 1));
        assertFalse(t.offer(message("other", 1)));
        assertEquals("m1", t.messages().get(0).messageId());
    }
}
