package org.e2echat.common.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Every service takes the caller's user id from the token's {@code sub}: a signed token without
 * one (or with a blank one) is not an authenticated caller, so it is refused as 401 (the REST
 * problem mapper and the WebSocket upgrade both see an authentication failure), never a 500.
 */
@ApplicationScoped
public class SubjectRequired implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.getPrincipal() instanceof JsonWebToken jwt
                && (jwt.getSubject() == null || jwt.getSubject().isBlank())) {
            return Uni.createFrom().failure(new AuthenticationFailedException("token has no subject"));
        }
        return Uni.createFrom().item(identity);
    }
}
