package org.e2echat.user.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginRateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    @Test
    void limitsAUsernameAtOneAddressAndTellsHowLongToWait() {
        LoginRateLimiter limiter = new LoginRateLimiter(3, 100, Duration.ofSeconds(60), clock);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.tryAcquire("alice", "10.0.0.9"));
        }
        assertEquals(20, limiter.tryAcquire("alice", "10.0.0.9"));
        assertEquals(0, limiter.tryAcquire("bob", "10.0.0.9"));
        now.addAndGet(20_000);
        assertEquals(0, limiter.tryAcquire("alice", "10.0.0.9"));
    }

    @Test
    void aStrangerAtAnotherAddressCannotLockTheOwnerOut() {
        LoginRateLimiter limiter = new LoginRateLimiter(3, 100, Duration.ofSeconds(60), clock);
        for (int i = 0; i < 50; i++) {
            limiter.tryAcquire("alice", "203.0.113.66");
        }
        assertTrue(limiter.tryAcquire("alice", "203.0.113.66") > 0);
        assertEquals(0, limiter.tryAcquire("alice", "198.51.100.1"));
    }

    @Test
    void limitsPerAddressAcrossUsernames() {
        LoginRateLimiter limiter = new LoginRateLimiter(100, 2, Duration.ofSeconds(10), clock);
        assertEquals(0, limiter.tryAcquire("a", "192.0.2.1"));
        assertEquals(0, limiter.tryAcquire("b", "192.0.2.1"));
        assertTrue(limiter.tryAcquire("c", "192.0.2.1") >= 1);
        assertEquals(0, limiter.tryAcquire("c", "192.0.2.2"));
    }
}
