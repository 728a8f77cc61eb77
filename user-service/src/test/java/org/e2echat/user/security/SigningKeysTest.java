package org.e2echat.user.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.e2echat.testsupport.TestJwt;
import org.e2echat.user.config.UserServiceConfig;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.EllipticCurves;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Production key loading: the current key from a private JWK (or a file holding it), retired ones from a public JWKS. */
class SigningKeysTest {

    @Test
    void loadsTheConfiguredKeyAndPublishesRetiredOnesWithoutPrivateParts() throws Exception {
        EllipticCurveJsonWebKey current = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        EllipticCurveJsonWebKey retired = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        SigningKeys keys = new SigningKeys(config(
                Optional.of(current.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE)),
                Optional.of(new JsonWebKeySet(retired).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY))));

        assertEquals(current.calculateBase64urlEncodedThumbprint("SHA-256"), keys.current().getKeyId());
        String retiredKid = retired.calculateBase64urlEncodedThumbprint("SHA-256");
        assertNotNull(keys.verificationKey(retiredKid));
        assertNull(keys.verificationKey("nope"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> published = (List<Map<String, Object>>) keys.jwks().get("keys");
        assertEquals(2, published.size());
        published.forEach(k -> assertNull(k.get("d"), "private part published"));
    }

    @Test
    void refusesAConfiguredKeyWithoutItsPrivatePart() throws Exception {
        EllipticCurveJsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        assertThrows(IllegalArgumentException.class, () -> new SigningKeys(config(
                Optional.of(key.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)), Optional.empty())));
    }

    @Test
    void theKeyGeneratorForOperatorsPrintsAKeyThisServiceSignsWith() throws Exception {
        String out = TestJwt.operatorSigningJwk(Path.of("..").toAbsolutePath().normalize());
        SigningKeys keys = new SigningKeys(config(Optional.of(out), Optional.empty()));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload("probe");
        jws.setAlgorithmHeaderValue("ES256");
        jws.setKey(keys.current().getPrivateKey());
        String signed = jws.getCompactSerialization();
        JsonWebSignature check = new JsonWebSignature();
        check.setCompactSerialization(signed);
        check.setKey(keys.verificationKey(keys.current().getKeyId()));
        assertTrue(check.verifySignature(), "the generated key signs and verifies");
    }

    @Test
    void readsTheSigningKeyFromAFileSoItNeedNotBeAnEnvironmentVariable(@TempDir Path dir) throws Exception {
        EllipticCurveJsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        Path file = dir.resolve("signing.jwk");
        // as a Secret mounted from `kubectl create secret --from-file` may end: with a newline
        Files.writeString(file, key.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE) + "\n");

        SigningKeys keys = new SigningKeys(config(Optional.empty(), Optional.empty(), Optional.of(file)));

        assertEquals(key.calculateBase64urlEncodedThumbprint("SHA-256"), keys.current().getKeyId());
        assertEquals(key.getPrivateKey(), keys.current().getPrivateKey(), "signs with the key from the file");
    }

    @Test
    void refusesAKeyAndAKeyFileTogetherAndAKeyFileThatCannotBeRead(@TempDir Path dir) throws Exception {
        EllipticCurveJsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        Path file = dir.resolve("signing.jwk");
        Files.writeString(file, key.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE));
        assertThrows(IllegalArgumentException.class, () -> new SigningKeys(config(
                Optional.of(key.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE)), Optional.empty(),
                Optional.of(file))));
        assertThrows(UncheckedIOException.class, () -> new SigningKeys(config(Optional.empty(), Optional.empty(),
                Optional.of(dir.resolve("missing.jwk")))));
    }

    private static UserServiceConfig config(Optional<String> signing, Optional<String> previous) {
        return config(signing, previous, Optional.empty());
    }

    private static UserServiceConfig config(Optional<String> signing, Optional<String> previous,
            Optional<Path> signingFile) {
        UserServiceConfig.Jwt jwt = new UserServiceConfig.Jwt() {
            public String issuer() {
                return "urn:e2echat:user-service";
            }

            public String audience() {
                return "e2echat";
            }

            public Duration accessTokenTtl() {
                return Duration.ofMinutes(15);
            }

            public Duration clockSkew() {
                return Duration.ofSeconds(60);
            }

            public Optional<String> signingJwk() {
                return signing;
            }

            public Optional<Path> signingJwkFile() {
                return signingFile;
            }

            public Optional<String> previousPublicJwks() {
                return previous;
            }

            public int retainedKeys() {
                return 2;
            }
        };
        return new UserServiceConfig() {
            public Argon2 argon2() {
                throw new UnsupportedOperationException();
            }

            public Login login() {
                throw new UnsupportedOperationException();
            }

            public Registration registration() {
                throw new UnsupportedOperationException();
            }

            public Lookups lookups() {
                throw new UnsupportedOperationException();
            }

            public Jwt jwt() {
                return jwt;
            }
        };
    }
}
