package org.e2echat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrackerTest {

    @Test
    void countsEveryMemberOnceAndWhatIsMissingAsLost() {
        Tracker t = new Tracker(3);
        t.sending("a", 0, 1);
        t.received("a", 3, 2_000_000);
        t.received("a", 4, 3_000_000);
        Tracker.Result r = t.result();
        assertEquals(3, r.expected());
        assertEquals(2, r.delivered());
        assertEquals(1, r.lost());
        assertFalse(r.clean());
    }

    @Test
    void aSecondCopyIsADuplicateAndAnotherRoomsMemberAMisroute() {
        Tracker t = new Tracker(3);
        t.sending("a", 0, 0);
        for (int member = 0; member < 3; member++) {
            t.received("a", member, 1_000_000);
        }
        t.received("a", 1, 1_000_000);
        t.received("a", 5, 1_000_000);
        Tracker.Result r = t.result();
        assertEquals(0, r.lost());
        assertEquals(1, r.duplicates());
        assertEquals(1, r.misrouted());
        assertFalse(r.clean());
    }

    @Test
    void latencyIsMeasuredFromTheIntendedSendTime() {
        Tracker t = new Tracker(1);
        t.sending("a", 1_000_000_000L, 0);
        t.received("a", 0, 1_250_000_000L);
        Tracker.Result r = t.result();
        assertTrue(r.clean());
        assertEquals(250, r.percentileMillis(50), 0.5);
    }
}
