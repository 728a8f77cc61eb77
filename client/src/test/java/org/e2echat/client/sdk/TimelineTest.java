package org.e2echat.client.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
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

    @Test
    void aSeqComingBackWithAnotherIdOrAnIdAtAnotherSeqIsAConflict() {
        Timeline t = new Timeline();
        t.offer(message("m1", 1));
        t.offer(message("m2", 2));
        assertEquals(OptionalLong.empty(), t.conflict("m2", 2), "a redelivery agrees");
        assertEquals(OptionalLong.empty(), t.conflict("m3", 3), "a new seq agrees");
        assertEquals(OptionalLong.of(2), t.conflict("other", 2));
        assertEquals(OptionalLong.of(1), t.conflict("m1", 5), "an id moved from seq 1");
        assertEquals(OptionalLong.of(1), t.conflict("m2", 1), "seq 1 is m1's and m2 is held at 2: from the lower");
    }

    @Test
    void replacingFromASeqTakesTheServersAnswerAndDropsWhatItNoLongerHas() {
        Timeline t = new Timeline();
        for (int seq = 1; seq <= 4; seq++) {
            t.offer(message("m" + seq, seq));
        }
        List<ReceivedMessage> fresh = t.replaceFrom(2, List.of(message("m2", 2), message("x3", 3)));
        assertEquals(List.of("x3"), fresh.stream().map(ReceivedMessage::messageId).toList(), "m2 was held already");
        assertEquals(List.of("m1", "m2", "x3"), t.messages().stream().map(ReceivedMessage::messageId).toList());
        assertEquals(3, t.lastSeq());
        assertFalse(t.seen("m3"));
        assertFalse(t.seen("m4"));
        assertTrue(t.offer(message("m4", 4)), "a dropped id may come back at its true seq");
    }

    @Test
    void caughtUpToSkipsSeqsThisReaderNeverSees() {
        Timeline t = new Timeline();
        t.offer(message("m41", 41));
        assertEquals(0, t.lastSeq(), "alone, seq 41 leaves a gap");
        t.caughtUpTo(41);
        assertEquals(41, t.lastSeq());
        assertFalse(t.gapBefore(42));
        assertEquals(OptionalLong.of(41), t.firstSeq());
    }
}
