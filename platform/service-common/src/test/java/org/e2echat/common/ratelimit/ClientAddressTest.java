package org.e2echat.common.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private final ClientAddress proxied = new ClientAddress(Optional.of(List.of("10.1.0.0/16", "192.168.7.7", "fd00::/8")));

    @Test
    void forwardedForIsIgnoredUnlessTheConnectionIsFromATrustedProxy() {
        assertEquals("203.0.113.9", proxied.resolve("203.0.113.9", List.of("1.2.3.4")));
        assertEquals("127.0.0.1", new ClientAddress(Optional.empty()).resolve("127.0.0.1", List.of("1.2.3.4")));
    }

    @Test
    void theRightmostUntrustedHopIsTheClientWhateverTheClientWroteToItsLeft() {
        // the client wrote "6.6.6.6"; the ingress appended the address it saw
        assertEquals("198.51.100.4", proxied.resolve("10.1.2.3", List.of("6.6.6.6, 198.51.100.4")));
        // two trusted proxies in a row are skipped
        assertEquals("198.51.100.4", proxied.resolve("10.1.2.3", List.of("6.6.6.6, 198.51.100.4, 192.168.7.7")));
        // several headers are one list, in order
        assertEquals("198.51.100.4", proxied.resolve("10.1.2.3", List.of("6.6.6.6", "198.51.100.4")));
        assertEquals("2001:db8::1", proxied.resolve("fd12::5", List.of("2001:db8::1")));
    }

    @Test
    void garbageOrNoHeaderStopsAtTheLastGoodHop() {
        assertEquals("10.1.2.3", proxied.resolve("10.1.2.3", List.of()));
        assertEquals("10.1.2.3", proxied.resolve("10.1.2.3", List.of("evil.example.com")));
        assertEquals("198.51.100.4", proxied.resolve("10.1.2.3", List.of("<script>, 198.51.100.4")));
        // all hops trusted: the leftmost one
        assertEquals("10.1.9.9", proxied.resolve("10.1.2.3", List.of("10.1.9.9")));
    }

    @Test
    void aBadRangeIsAStartupError() {
        assertThrows(IllegalArgumentException.class, () -> new ClientAddress(Optional.of(List.of("10.0.0.0/33"))));
        assertThrows(IllegalArgumentException.class, () -> new ClientAddress(Optional.of(List.of("proxy.local"))));
    }
}
