package org.e2echat.user.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Typed configuration of user-service. */
@ConfigMapping(prefix = "e2echat.users")
public interface UserServiceConfig {

    Argon2 argon2();

    Login login();

    Registration registration();

    Lookups lookups();

    Jwt jwt();

    /** Argon2id cost; never below m=19456 KiB, t=2, p=1 (enforced at startup). */
    interface Argon2 {
        @WithDefault("19456")
        int memoryKib();

        @WithDefault("2")
        int iterations();

        @WithDefault("1")
        int parallelism();

        /**
         * Hashes computed at once (each holds memoryKib); 0 means one per core. More wait in a
         * queue of {@link #maxQueued()}; beyond it the request is refused 503 busy.
         */
        @WithDefault("0")
        int maxConcurrent();

        @WithDefault("16")
        int maxQueued();
    }

    /** Registrations per client address (per instance): a burst of maxPerAddress, then as many per window. */
    interface Registration {
        @WithDefault("10")
        int maxPerAddress();

        @WithDefault("10m")
        Duration window();
    }

    /** User lookups (by id, by username, keys) per signed-in user (per instance). */
    interface Lookups {
        @WithDefault("300")
        int maxPerUser();

        @WithDefault("1m")
        Duration window();
    }

    /** Login attempt limits (per instance): per username at one address, and per address. */
    interface Login {
        @WithDefault("10")
        int maxAttemptsPerUsernameAndAddress();

        @WithDefault("100")
        int maxAttemptsPerAddress();

        @WithDefault("1m")
        Duration window();

        @WithDefault("30d")
        Duration refreshTokenTtl();
    }

    /** Access tokens. */
    interface Jwt {
        @WithDefault("urn:e2echat:user-service")
        String issuer();

        @WithDefault("e2echat")
        String audience();

        @WithDefault("15m")
        Duration accessTokenTtl();

        @WithDefault("60s")
        Duration clockSkew();

        /** The current signing key as a private EC P-256 JWK (from a Secret); generated at start when absent. */
        Optional<String> signingJwk();

        /**
         * A file holding the current signing key as a private EC P-256 JWK (a mounted Secret), so the
         * key never has to be an environment variable; an alternative to {@link #signingJwk()}.
         */
        Optional<Path> signingJwkFile();

        /** A JWKS ({"keys": [...]}) of recently retired public keys, still published and accepted during the overlap. */
        Optional<String> previousPublicJwks();

        /** How many signing keys (current + retired) an in-process rotation keeps. */
        @WithDefault("2")
        int retainedKeys();
    }
}
