package org.e2echat.user.security;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.security.Key;
import org.e2echat.user.config.UserServiceConfig;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Verifies access tokens in user-service itself against its in-memory signing keys (the other
 * services fetch the same keys from the JWKS). Only ES256 is accepted; the {@code kid} must name
 * one of our keys; iss, aud, sub, jti and exp are required, with the configured clock skew.
 */
@ApplicationScoped
@Alternative
@Priority(1)
public class LocalKeysPrincipalFactory extends JWTCallerPrincipalFactory {

    private final JwtConsumer consumer;

    public LocalKeysPrincipalFactory(SigningKeys keys, UserServiceConfig config) {
        this.consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setRequireJwtId()
                .setAllowedClockSkewInSeconds((int) config.jwt().clockSkew().toSeconds())
                .setExpectedIssuer(config.jwt().issuer())
                .setExpectedAudience(config.jwt().audience())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                .setVerificationKeyResolver((jws, nested) -> {
                    Key key = keys.verificationKey(jws.getKeyIdHeaderValue());
                    if (key == null) {
                        throw new UnresolvableKeyException("unknown kid");
                    }
                    return key;
                })
                .build();
    }

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo authContextInfo) throws ParseException {
        try {
            JwtClaims claims = consumer.processToClaims(token);
            return new DefaultJWTCallerPrincipal(token, "JWT", claims);
        } catch (InvalidJwtException e) {
            throw new ParseException("invalid access token");
        }
    }
}
