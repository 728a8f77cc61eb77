package org.e2echat.gateway.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The registry's rules without sockets: the per-user cap, fan-out, and which silent links are reaped. */
class ConnectionRegistryTest {

    /** A link that records what was done to it. */
    static class FakeLink implements Link {
        final String id;
        final String user;
        final long lastHeard;
        final long expiresAt;
        final List<byte[]> frames = new ArrayList<>();
        Integer closedWith;

        FakeLink(String id, String user, long lastHeard) {
            this(id, user, lastHeard, Long.MAX_VALUE);
        }

        FakeLink(String id, String user, long lastHeard, long expiresAt) {
            this.id = id;
            this.user = user;
            this.lastHeard = lastHeard;
            this.expiresAt = expiresAt;
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
        public boolean offer(byte[] frame) {
            return frames.add(frame);
        }

        @Override
        public long expiresAtMillis() {
            return expiresAt;
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
        assertEquals(2, registry.deliver(List.of("ann", "bob"), "{}".getBytes(StandardCharsets.UTF_8)));
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

    @Test
    void closesExactlyTheLinksWhoseTokenExpiredAndStopsWritingToThem() {
        ConnectionRegistry registry = new ConnectionRegistry(5);
        long now = System.currentTimeMillis();
        FakeLink expired = new FakeLink("a", "ann", System.nanoTime(), now - 1);
        FakeLink expiresNow = new FakeLink("b", "bob", System.nanoTime(), now);
        FakeLink valid = new FakeLink("c", "ann", System.nanoTime(), now + 1);
        List.of(expired, expiresNow, valid).forEach(registry::add);

        assertEquals(2, registry.closeExpired(now, 1008, "token expired"));
        assertEquals(1008, expired.closedWith);
        assertEquals(1008, expiresNow.closedWith);
        assertEquals(null, valid.closedWith);
        assertEquals(1, registry.connections("ann"));
        assertEquals(0, registry.connections("bob"));
        assertEquals(1, registry.deliver(List.of("ann", "bob"), new byte[] {'{', '}'}));
        assertTrue(expired.frames.isEmpty() && expiresNow.frames.isEmpty());
        assertEquals(0, registry.closeExpired(now, 1008, "token expired"), "nothing left to close");
    }

    @Test
    void aUserWithOneConnectionIsStillCappedAndEveryConnectionGetsTheSameBytes() {
        ConnectionRegistry single = new ConnectionRegistry(1);
        FakeLink first = new FakeLink("a", "ann", 0);
        assertTrue(single.add(first));
        assertFalse(single.add(new FakeLink("b", "ann", 0)), "a second connection over a cap of one");
        assertFalse(single.add(first), "the same link twice");
        assertEquals(1, single.connections("ann"));

        ConnectionRegistry three = new ConnectionRegistry(3);
        List<FakeLink> links = List.of(new FakeLink("a", "ann", 0), new FakeLink("b", "ann", 0),
                new FakeLink("c", "ann", 0));
        links.forEach(l -> assertTrue(three.add(l)));
        assertFalse(three.add(new FakeLink("d", "ann", 0)));
        byte[] frame = "{\"type\":\"message\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(3, three.deliver(List.of("ann"), frame));
        links.forEach(l -> assertSame(frame, l.frames.get(0), "encoded once, the same bytes for every connection"));
        three.remove(links.get(1));
        assertEquals(2, three.connections("ann"));
        assertTrue(three.add(new FakeLink("e", "ann", 0)), "a freed place can be taken again");
        links.forEach(three::remove);
        assertEquals(1, three.connections("ann"));
    }

    @Test
    void aLinkThatRefusesAFrameIsClosedWith1013AndRemoved() {
        ConnectionRegistry registry = new ConnectionRegistry(5);
        FakeLink full = new FakeLink("a", "ann", 0) {
            @Override
            public boolean offer(byte[] frame) {
                return false;
            }
        };
        FakeLink ok = new FakeLink("b", "ann", 0);
        registry.add(full);
        registry.add(ok);
        assertEquals(1, registry.deliver(List.of("ann"), new byte[] {'{', '}'}));
        assertEquals(1013, full.closedWith);
        assertEquals(1, registry.connections("ann"));
    }
}
