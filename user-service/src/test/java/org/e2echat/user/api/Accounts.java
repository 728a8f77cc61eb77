package org.e2echat.user.api;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.e2echat.testsupport.TestIdentity;

/** Registers and logs in test users over the real REST API. */
public final class Accounts {

    public static final String PASSWORD = "correct horse battery staple";
    private static final AtomicInteger SEQ = new AtomicInteger();

    public record Account(String id, String username, String password, TestIdentity identity, String accessToken,
            String refreshToken) {

        public RequestSpecification authed() {
            return given().header("Authorization", "Bearer " + accessToken).contentType(ContentType.JSON);
        }
    }

    private Accounts() {
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Whether a {@code chat.users} record is an event of {@code type} about {@code userId}. */
    static boolean isEvent(org.apache.kafka.clients.consumer.ConsumerRecord<String, String> record, String userId,
            String type) {
        try {
            return userId.equals(record.key()) && type.equals(JSON.readTree(record.value()).get("type").asText());
        } catch (Exception e) {
            return false;
        }
    }

    /** The payload of a {@code chat.users} record, whose envelope must be of the current version. */
    static com.fasterxml.jackson.databind.JsonNode payload(
            org.apache.kafka.clients.consumer.ConsumerRecord<String, String> record) throws Exception {
        com.fasterxml.jackson.databind.JsonNode envelope = JSON.readTree(record.value());
        org.junit.jupiter.api.Assertions.assertEquals(org.e2echat.contracts.events.UserEvents.VERSION,
                envelope.get("version").asInt());
        return envelope.get("payload");
    }

    static String uniqueName(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    }

    public static Map<String, Object> identityBody(TestIdentity identity) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("suite", identity.suite());
        body.put("signingPublicKey", identity.signingPublicKey());
        body.put("kemPublicKey", identity.kemPublicKey());
        body.put("kemKeySignature", identity.kemKeySignature());
        return body;
    }

    static Map<String, Object> registration(String username, String displayName, String password, TestIdentity identity) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", username);
        body.put("displayName", displayName);
        body.put("password", password);
        body.put("identity", identityBody(identity));
        return body;
    }

    /** Registers from a fresh client address, so that the per-address limit only bites in the test about it. */
    static Response postRegistration(Object body) {
        return given().contentType(ContentType.JSON).header("X-Forwarded-For", freshAddress()).body(body).post("/v1/users");
    }

    /**
     * Logs in from a fresh client address (through the trusted-proxy header), so that the
     * per-address limits only bite in the tests that are about them.
     */
    static Response login(String username, String password) {
        return loginFrom(freshAddress(), username, password);
    }

    static Response loginFrom(String address, String username, String password) {
        return given().contentType(ContentType.JSON).header("X-Forwarded-For", address)
                .body(Map.of("username", username, "password", password))
                .post("/v1/auth/login");
    }

    private static String freshAddress() {
        int n = SEQ.incrementAndGet();
        return "198.18." + (n / 250 % 250) + "." + (n % 250 + 1);
    }

    /** A fresh registered and logged-in user. */
    public static Account create(String prefix) {
        String username = uniqueName(prefix);
        TestIdentity identity = TestIdentity.generate();
        String id = postRegistration(registration(username, "Display " + username, PASSWORD, identity))
                .then().statusCode(201).extract().path("id");
        Response login = login(username, PASSWORD);
        login.then().statusCode(200);
        return new Account(id, username, PASSWORD, identity, login.path("accessToken"), login.path("refreshToken"));
    }
}
