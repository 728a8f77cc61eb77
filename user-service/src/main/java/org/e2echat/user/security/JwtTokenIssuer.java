package org.e2echat.user.security;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;
import org.e2echat.user.config.UserServiceConfig;
import org.e2echat.user.domain.TokenIssuer;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/** Mints ES256 access tokens: iss, aud, sub = user id, upn = username, groups, jti, iat, exp. */
@ApplicationScoped
public class JwtTokenIssuer implements TokenIssuer {

    private final SigningKeys keys;
    private final UserServiceConfig.Jwt config;

    public JwtTokenIssuer(SigningKeys keys, UserServiceConfig config) {
        this.keys = keys;
        this.config = config.jwt();
    }

    @Override
    public Issued issue(String userId, String username) {
        long ttl = config.accessTokenTtl().toSeconds();
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(config.issuer());
        claims.setAudience(config.audience());
        claims.setSubject(userId);
        claims.setClaim("upn", username);
        claims.setStringListClaim("groups", List.of("user"));
        claims.setJwtId(UUID.randomUUID().toString());
        NumericDate now = NumericDate.now();
        claims.setIssuedAt(now);
        NumericDate exp = NumericDate.fromSeconds(now.getValue() + ttl);
        claims.setExpirationTime(exp);
        EllipticCurveJsonWebKey key = keys.current();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return new Issued(jws.getCompactSerialization(), ttl);
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign an access token", e);
        }
    }
}
