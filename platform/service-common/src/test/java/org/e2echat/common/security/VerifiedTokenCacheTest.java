package org.e2echat.common.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

class VerifiedTokenCacheTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final AtomicInteger verifications = new AtomicInteger();

    /** Stands in for the signature check: "bad" tokens fail, others expire 15 minutes from now. */
    private final JWTCallerPrincipalFactory verifier = new JWTCallerPrincipalFactory() {
        @Override
        public JWTCallerPrincipal parse(String token, JWTAuthContextInfo info) throws ParseException {
            verifications.incrementAndGet();
            if (token.startsWith("bad")) {
                throw new ParseException("invalid access token");
            }
            JwtClaims claims = new JwtClaims();
            claims.setSubject(token);
            claims.setExpirationTime(NumericDate.fromMilliseconds(now.get() + 15 * 60_000));
            return new DefaultJWTCallerPrincipal(token, "JWT", claims);
        }
    };

    private final VerifiedTokenCache cache = new VerifiedTokenCache(verifier, now::get);

    @Test
    void aTokenIsVerifiedOnceAndThenRecognised() throws Exception {
        JWTCallerPrincipal first = cache.parse("alice", null);
        JWTCallerPrincipal second = cache.parse("alice", null);
        assertSame(first, second);
        assertEquals(1, verifications.get());
        cache.parse("bob", null);
        assertEquals(2, verifications.get());
    }

    @Test
    void aRefusedTokenIsCheckedAgainEveryTime() {
        assertThrows(ParseException.class, () -> cache.parse("bad-1", null));
        assertThrows(ParseException.class, () -> cache.parse("bad-1", null));
        assertEquals(2, verifications.get());
        assertEquals(0, cache.size());
    }

    @Test
    void aRememberedTokenIsVerifiedAgainAfterTheMaximumAge() throws Exception {
        cache.parse("alice", null);
        now.addAndGet(VerifiedTokenCache.MAX_AGE_MILLIS + 1);
        cache.parse("alice", null);
        assertEquals(2, verifications.get());
    }

    @Test
    void staysBoundedUnderAFloodOfDistinctTokens() throws Exception {
        for (int i = 0; i < VerifiedTokenCache.MAX_ENTRIES + 10; i++) {
            cache.parse("user-" + i, null);
        }
        assertTrue(cache.size() <= VerifiedTokenCache.MAX_ENTRIES);
    }
}
