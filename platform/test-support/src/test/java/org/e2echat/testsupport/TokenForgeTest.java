package org.e2echat.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.Test;

/** The forge's valid tokens verify against the published test JWKS and every hostile kind does not. */
class TokenForgeTest {

    private final TokenForge forge = TestJwt.forge();
    private final String user = UUID.randomUUID().toString();

    @Test
    void validTokenVerifiesAgainstTheTestJwks() throws Exception {
        assertEquals(user, consumer().processToClaims(forge.valid(user, "alice")).getSubject());
    }

    @Test
    void everyHostileTokenIsRefused() throws Exception {
        JwtConsumer consumer = consumer();
        for (String token : new String[] {
            forge.algNone(user, "alice"), forge.hs256WithPublicKey(user, "alice"), forge.unsigned(user, "alice"),
            forge.expired(user, "alice", Duration.ofMinutes(5)), forge.wrongIssuer(user, "alice"),
            forge.wrongAudience(user, "alice"), forge.unknownKey(user, "alice"),
            forge.hostileKid(user, "alice", "../../etc/passwd"), forge.tamperedSubject(user, "alice", "someone-else")}) {
            assertThrows(InvalidJwtException.class, () -> consumer.processToClaims(token), token);
        }
    }

    private JwtConsumer consumer() throws Exception {
        JsonWebKeySet jwks = new JsonWebKeySet(Files.readString(TestJwt.jwksFile()));
        return new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setExpectedIssuer(TestJwt.ISSUER)
                .setExpectedAudience(TestJwt.AUDIENCE)
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(jwks.getJsonWebKeys()))
                .build();
    }
}
