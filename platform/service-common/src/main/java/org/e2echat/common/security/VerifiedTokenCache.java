package org.e2echat.common.security;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Verifies each access token once per process: a token that verified (ES256 signature, iss, aud,
 * exp, as SmallRye JWT checks them) is remembered until it expires, at most {@link #MAX_AGE_MILLIS},
 * so a user's every request and every hop of a send (gateway, message-service, session-service)
 * no longer pays the P-256 arithmetic again. Bounded ({@link #MAX_ENTRIES}); refusals are never
 * remembered. What is checked per request besides the signature (a subject, a deleted user) runs
 * after this, on every request. user-service verifies with its own keys and outranks this.
 */
@ApplicationScoped
@Alternative
@Priority(0)
public class VerifiedTokenCache extends JWTCallerPrincipalFactory {

    static final int MAX_ENTRIES = 20_000;
    /** Bounds how long a token stays accepted after its key left the JWKS. */
    static final long MAX_AGE_MILLIS = 5 * 60_000;

    private record Verified(JWTCallerPrincipal principal, long untilMillis) {
    }

    private final JWTCallerPrincipalFactory delegate;
    private final LongSupplier clock;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    public VerifiedTokenCache() {
        this(new DefaultJWTCallerPrincipalFactory(), System::currentTimeMillis);
    }

    VerifiedTokenCache(JWTCallerPrincipalFactory delegate, LongSupplier clock) {
        this.delegate = delegate;
        this.clock = clock;
    }

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo authContextInfo) throws ParseException {
        long now = clock.getAsLong();
        Verified hit = verified.get(token);
        if (hit != null) {
            if (now < hit.untilMillis) {
                return hit.principal;
            }
            verified.remove(token, hit);
        }
        JWTCallerPrincipal principal = delegate.parse(token, authContextInfo);
        long until = Math.min(principal.getExpirationTime() * 1000, now + MAX_AGE_MILLIS);
        if (until > now) {
            if (verified.size() >= MAX_ENTRIES) {
                evict(now);
            }
            verified.put(token, new Verified(principal, until));
        }
        return principal;
    }

    /** Drops what has expired; if that frees nothing, forgets everything (a flood of distinct tokens). */
    private void evict(long now) {
        verified.values().removeIf(v -> v.untilMillis <= now);
        if (verified.size() >= MAX_ENTRIES) {
            verified.clear();
        }
    }

    int size() {
        return verified.size();
    }
}
