package org.e2echat.message.security;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import jakarta.inject.Inject;
import org.e2echat.common.security.VerifiedTokenCache;
import org.junit.jupiter.api.Test;

/** The services verify each token once: SmallRye JWT parses through the shared cache, not its default factory. */
@QuarkusTest
class VerifiedTokenCacheWiringTest {

    @Inject
    JWTCallerPrincipalFactory factory;

    @Test
    void tokensAreParsedThroughTheVerifiedTokenCache() {
        assertInstanceOf(VerifiedTokenCache.class, factory);
    }
}
