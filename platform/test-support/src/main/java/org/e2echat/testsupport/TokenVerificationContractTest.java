package org.e2echat.testsupport;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves a service verifies access tokens as user-service issues them, against a JWKS: valid and
 * slightly expired (within skew) tokens pass; every hostile kind gets a 401 problem. A service's
 * test extends it once, with {@link TestJwt} as a Quarkus test resource.
 */
public abstract class TokenVerificationContractTest {

    private final TokenForge forge = TestJwt.forge();
    private final String user = UUID.randomUUID().toString();

    @Test
    void validTokenIsAccepted() {
        bearer(forge.valid(user, "alice")).get("/test-support/whoami").then()
                .statusCode(200).body("sub", equalTo(user)).body("upn", equalTo("alice"));
    }

    @Test
    void tokenExpiredWithinTheClockSkewIsAccepted() {
        bearer(forge.expired(user, "alice", Duration.ofSeconds(20))).get("/test-support/whoami").then().statusCode(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing", "alg-none", "hs256-with-public-key", "unsigned", "expired-beyond-skew",
        "wrong-issuer", "wrong-audience", "unknown-key", "hostile-kid", "tampered-subject", "no-subject",
        "empty-subject"})
    void hostileTokenIsRefusedWithAProblem(String kind) {
        String token = switch (kind) {
            case "missing" -> null;
            case "alg-none" -> forge.algNone(user, "alice");
            case "hs256-with-public-key" -> forge.hs256WithPublicKey(user, "alice");
            case "unsigned" -> forge.unsigned(user, "alice");
            case "expired-beyond-skew" -> forge.expired(user, "alice", Duration.ofSeconds(120));
            case "wrong-issuer" -> forge.wrongIssuer(user, "alice");
            case "wrong-audience" -> forge.wrongAudience(user, "alice");
            case "unknown-key" -> forge.unknownKey(user, "alice");
            case "hostile-kid" -> forge.hostileKid(user, "alice", "../../../etc/passwd");
            case "tampered-subject" -> forge.tamperedSubject(user, "alice", UUID.randomUUID().toString());
            case "no-subject" -> forge.with(user, "alice", c -> c.unsetClaim("sub"));
            case "empty-subject" -> forge.with(user, "alice", c -> c.setSubject(""));
            default -> throw new IllegalArgumentException(kind);
        };
        RequestSpecification request = token == null ? given() : bearer(token);
        request.get("/test-support/whoami").then()
                .statusCode(401)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:unauthenticated"));
    }

    private static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token);
    }
}
