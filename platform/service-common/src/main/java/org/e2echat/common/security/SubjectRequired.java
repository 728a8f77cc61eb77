package org.e2echat.common.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.health.api.Wellness;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Every service takes the caller's user id from the token's {@code sub}: a signed token without
 * one (or with a blank one) is not an authenticated caller, and neither is the token of an account
 * deleted since it was issued ({@link DeletedAccounts}). Both are refused as 401 (the REST problem
 * mapper and the WebSocket upgrade both see an authentication failure), never a 500.
 */
@ApplicationScoped
public class SubjectRequired implements SecurityIdentityAugmentor {

    private final DeletedAccounts deleted;

    public SubjectRequired(@Wellness DeletedAccounts deleted) {
        this.deleted = deleted;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            String problem = refusal(jwt);
            if (problem != null) {
                return Uni.createFrom().failure(new AuthenticationFailedException(problem));
            }
        }
        return Uni.createFrom().item(identity);
    }

    /** Why a verified token does not authenticate anybody, or null when it does. */
    public String refusal(JsonWebToken jwt) {
        if (jwt.getSubject() == null || jwt.getSubject().isBlank()) {
            return "token has no subject";
        }
        if (deleted.isDeleted(jwt.getSubject())) {
            return "account deleted";
        }
        return null;
    }
}
