package org.e2echat.testsupport;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * Mints access tokens for tests: valid ones signed with a given ES256 key, and every kind of
 * hostile one a verifier must refuse (alg=none, HS256 keyed with the public key, unsigned,
 * expired, wrong iss/aud, unknown or hostile kid).
 */
public final class TokenForge {

    private final PrivateKey key;
    private final PublicKey publicKey;
    private final String kid;
    private final String issuer;
    private final String audience;

    public TokenForge(PrivateKey key, PublicKey publicKey, String kid, String issuer, String audience) {
        this.key = key;
        this.publicKey = publicKey;
        this.kid = kid;
        this.issuer = issuer;
        this.audience = audience;
    }

    /** A valid token for {@code userId} / {@code username}, expiring in 15 minutes. */
    public String valid(String userId, String username) {
        return sign(claims(userId, username, c -> { }), key, kid);
    }

    /** Signed correctly, with the claims adjusted by {@code change}. */
    public String with(String userId, String username, Consumer<JwtClaims> change) {
        return sign(claims(userId, username, change), key, kid);
    }

    /** Expired {@code ago} ago (issued 15 minutes before that). */
    public String expired(String userId, String username, Duration ago) {
        return with(userId, username, c -> {
            long exp = NumericDate.now().getValue() - ago.toSeconds();
            c.setIssuedAt(NumericDate.fromSeconds(exp - 900));
            c.setExpirationTime(NumericDate.fromSeconds(exp));
        });
    }

    public String wrongIssuer(String userId, String username) {
        return with(userId, username, c -> c.setIssuer("urn:attacker"));
    }

    public String wrongAudience(String userId, String username) {
        return with(userId, username, c -> c.setAudience("some-other-service"));
    }

    /** Signed by a key the verifier has never seen, with its own kid. */
    public String unknownKey(String userId, String username) {
        try {
            EllipticCurveJsonWebKey other = EcJwkGenerator.generateJwk(EllipticCurves.P256);
            return sign(claims(userId, username, c -> { }), other.getPrivateKey(), "unknown-" + UUID.randomUUID());
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Correctly signed, but the header's kid is {@code hostileKid} (paths, injections, huge values). */
    public String hostileKid(String userId, String username, String hostileKid) {
        return sign(claims(userId, username, c -> { }), key, hostileKid);
    }

    /** {@code alg: none} with an empty signature. */
    public String algNone(String userId, String username) {
        JsonWebSignature jws = jws(claims(userId, username, c -> { }));
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        return serialize(jws);
    }

    /** HS256 keyed with the verifier's public key bytes: the classic algorithm-confusion attack. */
    public String hs256WithPublicKey(String userId, String username) {
        JsonWebSignature jws = jws(claims(userId, username, c -> { }));
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKey(new HmacKey(publicKey.getEncoded()));
        jws.setKeyIdHeaderValue(kid);
        jws.setDoKeyValidation(false);
        return serialize(jws);
    }

    /** The ES256 header and payload of a valid token with the signature cut off. */
    public String unsigned(String userId, String username) {
        String valid = valid(userId, username);
        return valid.substring(0, valid.lastIndexOf('.') + 1);
    }

    /** A valid token whose payload was edited afterwards (signature no longer matches). */
    public String tamperedSubject(String userId, String username, String otherUserId) {
        String[] parts = valid(userId, username).split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(userId, otherUserId);
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    private JwtClaims claims(String userId, String username, Consumer<JwtClaims> change) {
        JwtClaims c = new JwtClaims();
        c.setIssuer(issuer);
        c.setAudience(audience);
        c.setSubject(userId);
        c.setClaim("upn", username);
        c.setStringListClaim("groups", List.of("user"));
        c.setJwtId(UUID.randomUUID().toString());
        NumericDate now = NumericDate.now();
        c.setIssuedAt(now);
        c.setExpirationTime(NumericDate.fromSeconds(now.getValue() + 900));
        change.accept(c);
        return c;
    }

    private static String sign(JwtClaims claims, PrivateKey signingKey, String keyId) {
        JsonWebSignature jws = jws(claims);
        jws.setKey(signingKey);
        jws.setKeyIdHeaderValue(keyId);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        return serialize(jws);
    }

    private static JsonWebSignature jws(JwtClaims claims) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setHeader("typ", "JWT");
        return jws;
    }

    private static String serialize(JsonWebSignature jws) {
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }
}
