package org.e2echat.user.domain;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed-window login attempt limits per username and per client address, in memory (per
 * instance). A refused attempt reports how long until its window resets.
 */
public final class LoginRateLimiter {

    private record Window(long startMillis, int count) {
    }

    private final int perUsername;
    private final int perAddress;
    private final long windowMillis;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public LoginRateLimiter(int perUsername, int perAddress, Duration window, Clock clock) {
        this.perUsername = perUsername;
        this.perAddress = perAddress;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /**
     * Counts one attempt for both keys.
     *
     * @return 0 when allowed, otherwise the seconds to wait
     */
    public long tryAcquire(String usernameKey, String address) {
        long now = clock.millis();
        if (windows.size() > 100_000) {
            windows.entrySet().removeIf(e -> now - e.getValue().startMillis() >= windowMillis);
        }
        long waitUser = count("u:" + usernameKey, perUsername, now);
        long waitAddress = count("a:" + address, perAddress, now);
        return Math.max(waitUser, waitAddress);
    }

    private long count(String key, int limit, long now) {
        Window w = windows.compute(key, (k, old) -> old == null || now - old.startMillis() >= windowMillis
                ? new Window(now, 1)
                : new Window(old.startMillis(), old.count() + 1));
        if (w.count() <= limit) {
            return 0;
        }
        return Math.max(1, (w.startMillis() + windowMillis - now + 999) / 1000);
    }
}
