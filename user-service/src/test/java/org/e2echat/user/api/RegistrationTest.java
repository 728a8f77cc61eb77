package org.e2echat.user.api;

import static org.e2echat.user.api.Accounts.PASSWORD;
import static org.e2echat.user.api.Accounts.identityBody;
import static org.e2echat.user.api.Accounts.postRegistration;
import static org.e2echat.user.api.Accounts.registration;
import static org.e2echat.user.api.Accounts.uniqueName;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.e2echat.contracts.Topic;
import org.e2echat.infra.LocalInfra;
import org.e2echat.testsupport.RawHttp;
import org.e2echat.testsupport.TestIdentity;
import org.e2echat.testsupport.TopicRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
class RegistrationTest {

    @Test
    void registersWithTheFirstIdentityAndReportsItsFingerprint() {
        String username = uniqueName("reg");
        TestIdentity identity = TestIdentity.generate();
        postRegistration(registration(username, "  Ada Lovelace ", PASSWORD, identity)).then()
                .statusCode(201)
                .header("Location", matchesPattern(".*/v1/users/[0-9a-f-]{36}$"))
                .body("username", equalTo(username))
                .body("displayName", equalTo("Ada Lovelace"))
                .body("deleted", equalTo(false))
                .body("currentKeyVersion", equalTo(1))
                .body("currentKey.status", equalTo("ACTIVE"))
                .body("currentKey.fingerprint", equalTo(identity.fingerprint()))
                .body("currentKey.fingerprintDigits", matchesPattern("\\d{5}( \\d{5}){5}"))
                .body("passwordHash", nullValue());
    }

    @Test
    void registrationIsPublishedWithTheFirstKeyVersion() {
        String username = uniqueName("pub");
        TestIdentity identity = TestIdentity.generate();
        try (TopicRecorder events = TopicRecorder.open(LocalInfra.shared().kafka().bootstrapServers(), Topic.USERS.name())) {
            String id = postRegistration(registration(username, "Pub", PASSWORD, identity)).then().statusCode(201)
                    .extract().path("id");
            var record = events.await(r -> id.equals(r.key()) && r.value().contains("\"UserRegistered\""),
                    java.time.Duration.ofSeconds(20));
            org.junit.jupiter.api.Assertions.assertTrue(record.value().contains(identity.fingerprint()));
            org.junit.jupiter.api.Assertions.assertTrue(record.value().contains("\"username\":\"" + username + "\""));
        }
    }

    @Test
    void usernamesAreUniqueAcrossCaseAndUnicodeForms() {
        String base = uniqueName("dup");
        postRegistration(registration(base, "First", PASSWORD, TestIdentity.generate())).then().statusCode(201);
        String fullWidth = base.chars().mapToObj(c -> c >= 'a' && c <= 'z'
                ? String.valueOf((char) (c - 'a' + 'ａ')) : String.valueOf((char) c))
                .reduce("", String::concat);
        for (String variant : new String[] {base, base.toUpperCase(), fullWidth}) {
            postRegistration(registration(variant, "Second", PASSWORD, TestIdentity.generate())).then()
                    .statusCode(409)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:e2echat:problem:username-taken"));
        }
    }

    static Stream<Arguments> badRegistrations() {
        TestIdentity other = TestIdentity.generate();
        Function<Map<String, Object>, Map<String, Object>> same = b -> b;
        return Stream.of(
                Arguments.of("over-long username", 400, "invalid-username",
                        edit(b -> b.put("username", "u".repeat(33)))),
                Arguments.of("username with a space", 400, "invalid-username",
                        edit(b -> b.put("username", "bad name" + System.nanoTime()))),
                Arguments.of("username with $ operator text", 400, "invalid-username",
                        edit(b -> b.put("username", "$where"))),
                Arguments.of("bidi override in display name", 400, "invalid-display-name",
                        edit(b -> b.put("displayName", "evil\u202Egnp.exe"))),
                Arguments.of("zero-width in display name", 400, "invalid-display-name",
                        edit(b -> b.put("displayName", "ali\u200Bce"))),
                Arguments.of("control character in display name", 400, "invalid-display-name",
                        edit(b -> b.put("displayName", "bell\u0007"))),
                Arguments.of("over-long display name", 400, "invalid-display-name",
                        edit(b -> b.put("displayName", "d".repeat(65)))),
                Arguments.of("short password", 400, "invalid-password",
                        edit(b -> b.put("password", "short"))),
                Arguments.of("number where text belongs", 400, "malformed-request",
                        edit(b -> b.put("username", 12345))),
                Arguments.of("$-operator object as username", 400, "malformed-request",
                        edit(b -> b.put("username", Map.of("$ne", "")))),
                Arguments.of("$-operator key", 400, "malformed-request",
                        edit(b -> b.put("$where", "1 == 1"))),
                Arguments.of("dotted key", 400, "malformed-request",
                        edit(b -> b.put("identity.suite", "x"))),
                Arguments.of("dotted key inside identity", 400, "malformed-request",
                        identityEdit(i -> i.put("kemPublicKey.$gt", ""))),
                Arguments.of("missing identity", 400, "invalid-identity",
                        edit(b -> b.remove("identity"))),
                Arguments.of("malformed base64", 400, "malformed-base64",
                        identityEdit(i -> i.put("kemPublicKey", "not*base64!"))),
                Arguments.of("unpadded base64", 400, "malformed-base64",
                        identityEdit(i -> i.put("kemPublicKey", ((String) i.get("kemPublicKey")).replace("=", "")))),
                Arguments.of("key of wrong length", 422, "invalid-key-length",
                        identityEdit(i -> i.put("signingPublicKey", Base64.getEncoder().encodeToString(new byte[31])))),
                Arguments.of("all-zero KEM key", 422, "invalid-key",
                        identityEdit(i -> i.put("kemPublicKey", Base64.getEncoder().encodeToString(new byte[32])))),
                Arguments.of("KEM key u = 1, correctly signed", 422, "invalid-key",
                        edit(b -> b.put("identity", identityBody(TestIdentity.signed(HexFormat.of().parseHex(
                                "0100000000000000000000000000000000000000000000000000000000000000")))))),
                Arguments.of("KEM key u = p, correctly signed", 422, "invalid-key",
                        edit(b -> b.put("identity", identityBody(TestIdentity.signed(HexFormat.of().parseHex(
                                "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")))))),
                Arguments.of("signature by another key", 422, "bad-key-signature",
                        identityEdit(i -> i.put("kemKeySignature", other.kemKeySignature()))),
                Arguments.of("unknown suite", 422, "unsupported-suite",
                        identityEdit(i -> i.put("suite", "RSA-1024"))),
                Arguments.of("untouched (control)", 201, null, same));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRegistrations")
    void badInputIsRefusedAndChangesNothing(String name, int status, String slug,
            Function<Map<String, Object>, Map<String, Object>> edit) {
        String username = uniqueName("bad");
        Map<String, Object> body = edit.apply(new java.util.HashMap<>(registration(username, "Name", PASSWORD,
                TestIdentity.generate())));
        var response = postRegistration(body).then().statusCode(status);
        if (slug == null) {
            return;
        }
        response.contentType("application/problem+json").body("type", equalTo("urn:e2echat:problem:" + slug));
        // nothing was reserved: the same username registers fine afterwards
        postRegistration(registration(username, "Name", PASSWORD, TestIdentity.generate())).then().statusCode(201);
    }

    @Test
    void malformedJsonAndOversizedBodiesAreProblems() {
        io.restassured.RestAssured.given().contentType(ContentType.JSON).body("{\"username\": ")
                .post("/v1/users").then().statusCode(400).contentType("application/problem+json");
        io.restassured.RestAssured.given().contentType(ContentType.JSON)
                .body("{\"username\": \"" + "x".repeat(300_000) + "\"}")
                .post("/v1/users").then().statusCode(413).contentType("application/problem+json");
        io.restassured.RestAssured.given().contentType(ContentType.JSON).body("")
                .post("/v1/users").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void chunkedBodiesOverTheLimitAreProblemsToo() throws Exception {
        URI base = URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port);
        Map<String, String> json = Map.of("Content-Type", "application/json");
        for (int size : new int[] {270_000, 10_000_000}) {
            byte[] body = ("{\"username\": \"" + "x".repeat(size) + "\"}").getBytes(StandardCharsets.UTF_8);
            RawHttp.Answer answer = RawHttp.postChunked(base, "/v1/users", json, body);
            assertEquals(413, answer.status(), answer.body());
            assertEquals("application/problem+json", answer.headers().get("content-type"));
            assertTrue(answer.body().contains("\"urn:e2echat:problem:payload-too-large\""), answer.body());
        }
        // under the limit, a chunked body is read as any other
        byte[] valid = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(
                registration(uniqueName("chunk"), "Chunked", PASSWORD, TestIdentity.generate()));
        RawHttp.Answer created = RawHttp.postChunked(base, "/v1/users", json, valid);
        assertEquals(201, created.status(), created.body());
    }

    private static Function<Map<String, Object>, Map<String, Object>> edit(java.util.function.Consumer<Map<String, Object>> c) {
        return b -> {
            c.accept(b);
            return b;
        };
    }

    @SuppressWarnings("unchecked")
    private static Function<Map<String, Object>, Map<String, Object>> identityEdit(
            java.util.function.Consumer<Map<String, Object>> c) {
        return b -> {
            Map<String, Object> identity = new java.util.HashMap<>((Map<String, Object>) b.get("identity"));
            c.accept(identity);
            b.put("identity", identity);
            return b;
        };
    }
}
