package org.e2echat.user.domain;

import java.time.Clock;
import java.time.Duration;
import org.e2echat.common.ratelimit.KeyedLimiter;

/**
 * Login attempt limits, in memory (per instance): per username at one client address, and per
 * address across usernames. Attempts on a username from one address never count against the same
 * username at another address, so a stranger guessing a password cannot lock its owner out; an
 * address trying many usernames is held back by the second limit. A refused attempt reports how
 * long until it may try again.
 */
public final class LoginRateLimiter {

    private final KeyedLimiter perUserAtAddress;
    private final KeyedLimiter perAddress;

    public LoginRateLimiter(int perUsernameAndAddress, int perAddress, Duration window, Clock clock) {
        this.perUserAtAddress = new KeyedLimiter(perUsernameAndAddress, window, 100_000, () -> clock.millis() * 1_000_000L);
        this.perAddress = new KeyedLimiter(perAddress, window, 100_000, () -> clock.millis() * 1_000_000L);
    }

    /**
     * Counts one attempt.
     *
     * @return 0 when allowed, otherwise the seconds to wait
     */
    public long tryAcquire(String usernameKey, String address) {
        long waitAddress = perAddress.tryAcquire(address);
        if (waitAddress > 0) {
            return waitAddress;
        }
        return perUserAtAddress.tryAcquire(usernameKey + "\n" + address);
    }
}
