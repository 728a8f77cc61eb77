package org.e2echat.user.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.e2echat.testsupport.TokenForge;
import org.e2echat.user.security.SigningKeys;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every protected endpoint refuses every kind of bad token with a 401 problem. */
@QuarkusTest
class TokenSecurityTest {

    @Inject
    SigningKeys keys;


    record Endpoint(String name, Function<RequestSpecification, io.restassured.response.Response> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Endpoint> endpoints(String userId) {
        return List.of(
                new Endpoint("GET /v1/users/me", r -> r.get("/v1/users/me")),
                new Endpoint("DELETE /v1/users/me", r -> r.body(Map.of("password", Accounts.PASSWORD)).delete("/v1/users/me")),
                new Endpoint("GET /v1/users/{id}", r -> r.get("/v1/users/" + userId)),
                new Endpoint("GET /v1/users/by-username/{u}", r -> r.get("/v1/users/by-username/someone")),
                new Endpoint("GET /v1/users/{id}/keys", r -> r.get("/v1/users/" + userId + "/keys")),
                new Endpoint("POST /v1/users/me/keys", r -> r.body(Map.of("suite", "x")).post("/v1/users/me/keys")),
                new Endpoint("POST /v1/users/me/keys/1/revoke", r -> r.post("/v1/users/me/keys/1/revoke")));
    }

    static Stream<String> hostileKinds() {
        return Stream.of("missing", "garbage", "alg-none", "hs256-with-public-key", "unsigned", "expired-beyond-skew",
                "wrong-issuer", "wrong-audience", "unknown-key", "kid-path", "kid-injection", "kid-huge",
                "tampered-subject", "not-bearer");
    }

    private String hostile(String kind, Accounts.Account a) {
        TokenForge forge = forge();
        return switch (kind) {
            case "missing" -> null;
            case "garbage" -> "Bearer not.a.jwt";
            case "alg-none" -> "Bearer " + forge.algNone(a.id(), a.username());
            case "hs256-with-public-key" -> "Bearer " + forge.hs256WithPublicKey(a.id(), a.username());
            case "unsigned" -> "Bearer " + forge.unsigned(a.id(), a.username());
            case "expired-beyond-skew" -> "Bearer " + forge.expired(a.id(), a.username(), Duration.ofSeconds(120));
            case "wrong-issuer" -> "Bearer " + forge.wrongIssuer(a.id(), a.username());
            case "wrong-audience" -> "Bearer " + forge.wrongAudience(a.id(), a.username());
            case "unknown-key" -> "Bearer " + forge.unknownKey(a.id(), a.username());
            case "kid-path" -> "Bearer " + forge.hostileKid(a.id(), a.username(), "../../../../dev/null");
            case "kid-injection" -> "Bearer " + forge.hostileKid(a.id(), a.username(), "' OR '1'='1");
            case "kid-huge" -> "Bearer " + forge.hostileKid(a.id(), a.username(), "k".repeat(5000));
            case "tampered-subject" -> "Bearer " + forge.tamperedSubject(a.id(), a.username(), "00000000-0000-0000-0000-000000000000");
            case "not-bearer" -> "Basic " + java.util.Base64.getEncoder().encodeToString("a:b".getBytes());
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileKinds")
    void everyProtectedEndpointRefusesTheToken(String kind) {
        Accounts.Account a = Accounts.create("sec");
        String header = hostile(kind, a);
        for (Endpoint endpoint : endpoints(a.id())) {
            RequestSpecification request = given().contentType(ContentType.JSON);
            if (header != null) {
                request.header("Authorization", header);
            }
            endpoint.call().apply(request).then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", "Bearer")
                    .body("type", equalTo("urn:e2echat:problem:unauthenticated"));
        }
        // nothing happened to the account
        a.authed().get("/v1/users/me").then().statusCode(200).body("deleted", equalTo(false));
    }

    @Test
    void tokenExpiredWithinTheClockSkewIsStillAccepted() {
        Accounts.Account a = Accounts.create("skew");
        given().header("Authorization", "Bearer " + forge().expired(a.id(), a.username(), Duration.ofSeconds(20)))
                .get("/v1/users/me").then().statusCode(200).body("id", equalTo(a.id()));
    }

    @Test
    void signingKeyRotationKeepsOldTokensValidDuringTheOverlap() {
        Accounts.Account a = Accounts.create("rotate");
        String oldKid = keys.current().getKeyId();
        EllipticCurveJsonWebKey fresh = keys.rotate();

        given().get("/.well-known/jwks.json").then().statusCode(200)
                .body("keys", hasSize(2))
                .body("keys.kid", hasItem(oldKid))
                .body("keys.kid", hasItem(fresh.getKeyId()))
                .body("keys[0].d", equalTo(null))
                .body("keys[0].alg", equalTo("ES256"));
        a.authed().get("/v1/users/me").then().statusCode(200);

        String newToken = Accounts.login(a.username(), a.password()).path("accessToken");
        String header = new String(java.util.Base64.getUrlDecoder().decode(newToken.split("\\.")[0]));
        assertEquals(true, header.contains(fresh.getKeyId()), header);
        given().header("Authorization", "Bearer " + newToken).get("/v1/users/me").then().statusCode(200);
    }

    private TokenForge forge() {
        EllipticCurveJsonWebKey current = keys.current();
        return new TokenForge(current.getPrivateKey(), current.getPublicKey(), current.getKeyId(),
                "urn:e2echat:user-service", "e2echat");
    }
}
