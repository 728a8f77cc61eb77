package org.e2echat.user.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Turning keys that reached their {@code expiresAt} into {@code UserKeyExpired} events. */
@ConfigMapping(prefix = "e2echat.users.key-expiry")
public interface KeyExpiryConfig {

    /** How often every replica looks for keys past their expiry: the longest an expiry waits for its event. */
    @WithDefault("30s")
    Duration checkInterval();
}
