package org.e2echat.user.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import java.time.Duration;
import org.e2echat.common.outbox.EventJson;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.user.domain.HashingPool;
import org.e2echat.user.domain.LoginRateLimiter;
import org.e2echat.user.domain.PasswordHasher;
import org.e2echat.user.domain.RefreshTokenStore;
import org.e2echat.user.domain.TokenIssuer;
import org.e2echat.user.domain.UserService;
import org.e2echat.user.domain.UserStore;
import org.e2echat.user.events.UserEventRelay;
import org.e2echat.user.persistence.UserMongoRepository;

/** Builds the domain's plain classes from configuration and creates the indexes at startup. */
@ApplicationScoped
public class UserServiceWiring {

    @Produces
    @ApplicationScoped
    PasswordHasher passwordHasher(UserServiceConfig config) {
        return new PasswordHasher(config.argon2().memoryKib(), config.argon2().iterations(),
                config.argon2().parallelism());
    }

    @Produces
    @ApplicationScoped
    LoginRateLimiter loginRateLimiter(UserServiceConfig config) {
        return new LoginRateLimiter(config.login().maxAttemptsPerUsernameAndAddress(), config.login().maxAttemptsPerAddress(),
                config.login().window(), Clock.systemUTC());
    }

    @Produces
    @ApplicationScoped
    HashingPool hashingPool(UserServiceConfig config) {
        return new HashingPool(config.argon2().maxConcurrent(), config.argon2().maxQueued());
    }

    void closeHashingPool(@Disposes HashingPool pool) {
        pool.close();
    }

    @Produces
    @ApplicationScoped
    UserService userService(UserStore users, RefreshTokenStore refreshTokens, PasswordHasher hasher,
            TokenIssuer tokens, EventJson json, UserEventRelay relay, LoginRateLimiter limiter, HashingPool hashing,
            UserServiceConfig config) {
        return new UserService(users, refreshTokens, hasher, tokens,
                (type, payload) -> json.encode(type, UserEvents.VERSION, payload), relay::wake, limiter, hashing,
                config.login().refreshTokenTtl(), Clock.systemUTC());
    }

    void createIndexes(@Observes StartupEvent event, UserMongoRepository users) {
        users.createIndexes().await().atMost(Duration.ofSeconds(30));
    }
}
