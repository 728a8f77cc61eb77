package org.e2echat.gateway.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The registry's rules without sockets: the per-user cap, fan-out, and which silent links are reaped. */
class ConnectionRegistryTest {

    /** A link that records what was done to it. */
    static final class FakeLink implements Link {
        final String id;
        final String user;
        final long lastHeard;
        final List<String> frames = new ArrayList<>();
        Integer closedWith;

        FakeLink(String id, String user, long lastHeard) {
            this.id = id;
            this.user = user;
            this.lastHeard = lastHeard;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String userId() {
            return user;
        }

        @Override
        public boolean offer(String frame) {
            return frames.add(frame);
        }

        @Override
        public long lastHeardNanos() {
            return lastHeard;
        }

        @Override
        public CompletionStage<Void> close(int code, String reason) {
            closedWith = code;
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void reapsExactlyTheLinksSilentSinceTheCutoffAndStopsWritingToThem() {
        ConnectionRegistry registry = new ConnectionRegistry(5);
        long now = System.nanoTime();
        FakeLink silent = new FakeLink("a", "ann", now - 61_000_000_000L);
        FakeLink heard = new FakeLink("b", "ann", now - 1_000_000_000L);
        FakeLink other = new FakeLink("c", "bob", now);
        List.of(silent, heard, other).forEach(registry::add);

        assertEquals(1, registry.reapSilentSince(now - 60_000_000_000L, 1001, "gone"));
        assertEquals(1001, silent.closedWith);
        assertEquals(null, heard.closedWith);
        assertEquals(1, registry.connections("ann"));
        assertEquals(2, registry.deliver(List.of("ann", "bob"), "{}"));
        assertTrue(silent.frames.isEmpty(), "a reaped link gets no more frames");
        assertFalse(heard.frames.isEmpty());
        assertEquals(0, registry.reapSilentSince(now - 60_000_000_000L, 1001, "gone"), "nothing left to reap");
    }

    @Test
    void theCutoffComparesAcrossNanoTimeWrapAround() {
        ConnectionRegistry registry = new ConnectionRegistry(5);
        FakeLink beforeWrap = new FakeLink("a", "ann", Long.MAX_VALUE - 10);
        FakeLink afterWrap = new FakeLink("b", "bob", Long.MIN_VALUE + 10);
        registry.add(beforeWrap);
        registry.add(afterWrap);
        assertEquals(1, registry.reapSilentSince(Long.MAX_VALUE, 1001, "gone"));
        assertEquals(1001, beforeWrap.closedWith);
        assertEquals(null, afterWrap.closedWith);
    }
}
