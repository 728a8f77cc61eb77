package org.e2echat.common.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.e2echat.common.problem.ProblemException;

/**
 * One token bucket per key (a user, an address, a user at an address): {@code burst} requests at
 * once, then {@code burst} per {@code window}. In memory, per instance. The map forgets keys whose
 * buckets are full again, so it holds only the keys active within about one window; past
 * {@code maxKeys} it sweeps before adding.
 */
public final class KeyedLimiter {

    private final int burst;
    private final double perSecond;
    private final int maxKeys;
    private final LongSupplier nanos;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public KeyedLimiter(int burst, Duration window, int maxKeys, LongSupplier nanos) {
        if (burst < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a limit needs burst >= 1 and a positive window");
        }
        this.burst = burst;
        this.perSecond = burst / (window.toNanos() / 1e9);
        this.maxKeys = maxKeys;
        this.nanos = nanos;
    }

    public KeyedLimiter(int burst, Duration window) {
        this(burst, window, 100_000, System::nanoTime);
    }

    /** Takes one request for {@code key}: 0 when allowed, else the whole seconds to wait. */
    public long tryAcquire(String key) {
        long now = nanos.getAsLong();
        if (buckets.size() >= maxKeys) {
            buckets.values().removeIf(b -> b.full(now));
        }
        TokenBucket bucket = buckets.computeIfAbsent(key, k -> new TokenBucket(perSecond, burst, now));
        if (bucket.tryTake(now)) {
            return 0;
        }
        return Math.max(1, (bucket.nanosUntilToken(now) + 999_999_999L) / 1_000_000_000L);
    }

    /** As {@link #tryAcquire}, refusing with a 429 {@code rate-limited} problem and {@code Retry-After}. */
    public void check(String key, String detail) {
        long wait = tryAcquire(key);
        if (wait > 0) {
            throw tooMany(detail, wait);
        }
    }

    /** The 429 every limit answers. */
    public static ProblemException tooMany(String detail, long retryAfterSeconds) {
        return new ProblemException(429, "rate-limited", "Too many requests",
                detail + " Try again in " + retryAfterSeconds + " s.", Map.of(),
                Map.of("Retry-After", String.valueOf(retryAfterSeconds)));
    }
}
