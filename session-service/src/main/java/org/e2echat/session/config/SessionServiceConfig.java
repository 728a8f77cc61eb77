package org.e2echat.session.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Typed configuration of session-service. */
@ConfigMapping(prefix = "e2echat.sessions")
public interface SessionServiceConfig {

    /** Largest group, creator included. */
    @WithDefault("256")
    int maxMembers();

    Policy policy();

    /** When a session's key must be rotated regardless of membership changes. */
    interface Policy {
        /** An epoch older than this requires a rekey. */
        @WithDefault("7d")
        Duration maxEpochAge();

        /** This many messages in one epoch require a rekey. */
        @WithDefault("10000")
        long maxMessagesPerEpoch();

        /** How often every session's epoch age is checked (sends also check it themselves). */
        @WithDefault("1m")
        Duration checkInterval();
    }
}
