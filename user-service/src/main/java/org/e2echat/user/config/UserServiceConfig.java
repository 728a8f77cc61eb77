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

    Jwt jwt();

    /** Argon2id cost; never below m=19456 KiB, t=2, p=1 (enforced at startup). */
    interface Argon2 {
        @WithDefault("19456")
        int memoryKib();

        @WithDefault("2")
        int iterations();

        @WithDefault("1")
        int parallelism();
    }

    /** Login attempt limits (per instance, fixed windows). */
    interface Login {
        @WithDefault("10")
        int maxAttemptsPerUsername();

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
