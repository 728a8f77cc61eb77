package org.e2echat.user.api;

import jakarta.enterprise.context.ApplicationScoped;
import org.e2echat.common.ratelimit.KeyedLimiter;
import org.e2echat.user.config.UserServiceConfig;

/**
 * Limits on the endpoints an abuser would script (per instance): registrations per client address,
 * and user lookups (by id, by username, keys) per signed-in user — the directory can be probed
 * name by name, never listed. Refusals are {@code 429 rate-limited} with {@code Retry-After}.
 * Logins have their own limiter ({@code LoginRateLimiter}).
 */
@ApplicationScoped
public class RequestLimits {

    private final KeyedLimiter registrations;
    private final KeyedLimiter lookups;

    public RequestLimits(UserServiceConfig config) {
        this.registrations = new KeyedLimiter(config.registration().maxPerAddress(), config.registration().window());
        this.lookups = new KeyedLimiter(config.lookups().maxPerUser(), config.lookups().window());
    }

    void registration(String address) {
        registrations.check(address, "Too many registrations from this address.");
    }

    void lookup(String userId) {
        lookups.check(userId, "Too many user lookups.");
    }
}
