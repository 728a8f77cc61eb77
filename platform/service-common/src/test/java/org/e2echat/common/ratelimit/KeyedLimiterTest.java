package org.e2echat.common.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.e2echat.common.problem.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class KeyedLimiterTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void aBurstThenOnePerIntervalAndKeysAreIndependent() {
        KeyedLimiter limiter = new KeyedLimiter(3, Duration.ofSeconds(30), 1000, now::get);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.tryAcquire("a"));
        }
        assertEquals(10, limiter.tryAcquire("a"));
        assertEquals(0, limiter.tryAcquire("b"));
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertEquals(1, limiter.tryAcquire("a"));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(0, limiter.tryAcquire("a"));
        assertEquals(10, limiter.tryAcquire("a"));
    }

    @Test
    void refusalIsA429WithRetryAfter() {
        KeyedLimiter limiter = new KeyedLimiter(1, Duration.ofMinutes(1), 1000, now::get);
        limiter.check("k", "Too many.");
        ProblemException e = org.junit.jupiter.api.Assertions.assertThrows(ProblemException.class,
                (Executable) () -> limiter.check("k", "Too many."));
        assertEquals(429, e.status());
        assertEquals("60", e.headers().get("Retry-After"));
    }

    @Test
    void idleKeysAreForgottenWhenTheMapIsFull() {
        KeyedLimiter limiter = new KeyedLimiter(1, Duration.ofSeconds(1), 10, now::get);
        for (int i = 0; i < 10; i++) {
            limiter.tryAcquire("k" + i);
        }
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        // the sweep forgets the ten refilled keys; a fresh key is admitted, an old one starts over
        assertEquals(0, limiter.tryAcquire("new"));
        assertEquals(0, limiter.tryAcquire("k0"));
        assertTrue(limiter.tryAcquire("k0") > 0);
    }
}
