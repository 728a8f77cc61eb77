package org.e2echat.user.api;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.infra.LocalInfra;
import org.e2echat.testsupport.TestIdentity;
import org.e2echat.testsupport.TopicRecorder;
import org.junit.jupiter.api.Test;

@QuarkusTest
class IdentityKeysTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void rotationSupersedesThePreviousVersionAndIsPublished() throws Exception {
        Accounts.Account a = Accounts.create("keys");
        TestIdentity next = TestIdentity.generate();
        try (TopicRecorder events = TopicRecorder.open(LocalInfra.shared().kafka().bootstrapServers(), Topic.USERS.name())) {
            a.authed().body(Accounts.identityBody(next)).post("/v1/users/me/keys").then()
                    .statusCode(201)
                    .body("version", equalTo(2))
                    .body("status", equalTo("ACTIVE"))
                    .body("fingerprint", equalTo(next.fingerprint()));

            JsonNode event = payloadOf(events.await(r -> isFor(r, a.id(), "UserKeyRotated"), Duration.ofSeconds(20)));
            assertEquals(1, event.get("previousKeyVersion").asInt());
            assertEquals(2, event.get("keyVersion").asInt());
            assertEquals(next.fingerprint(), event.get("fingerprint").asText());
        }
        a.authed().get("/v1/users/" + a.id() + "/keys").then().statusCode(200)
                .body("currentKeyVersion", equalTo(2))
                .body("keys[0].status", equalTo("SUPERSEDED"))
                .body("keys[0].fingerprint", equalTo(a.identity().fingerprint()))
                .body("keys[1].status", equalTo("ACTIVE"));
    }

    @Test
    void anyUserReadsAnotherUsersCurrentAndPastKeys() {
        Accounts.Account owner = Accounts.create("owner");
        Accounts.Account reader = Accounts.create("reader");
        owner.authed().body(Accounts.identityBody(TestIdentity.generate())).post("/v1/users/me/keys").then().statusCode(201);
        reader.authed().get("/v1/users/" + owner.id() + "/keys").then().statusCode(200)
                .body("userId", equalTo(owner.id()))
                .body("keys.size()", equalTo(2))
                .body("keys[0].fingerprint", equalTo(owner.identity().fingerprint()));
        reader.authed().get("/v1/users/by-username/" + owner.username().toUpperCase()).then().statusCode(200)
                .body("id", equalTo(owner.id()))
                .body("currentKey.version", equalTo(2));
        reader.authed().get("/v1/users/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                .contentType("application/problem+json");
        reader.authed().get("/v1/users/not-an-id").then().statusCode(404);
        reader.authed().get("/v1/users/by-username/" + Accounts.uniqueName("none")).then().statusCode(404);
    }

    @Test
    void revokingTheCurrentVersionLeavesNoActiveKeyAndIsPublished() throws Exception {
        Accounts.Account a = Accounts.create("revoke");
        try (TopicRecorder events = TopicRecorder.open(LocalInfra.shared().kafka().bootstrapServers(), Topic.USERS.name())) {
            a.authed().post("/v1/users/me/keys/1/revoke").then().statusCode(200)
                    .body("status", equalTo("REVOKED"))
                    .body("revokedAt", org.hamcrest.Matchers.notNullValue());
            JsonNode event = payloadOf(events.await(r -> isFor(r, a.id(), "UserKeyRevoked"), Duration.ofSeconds(20)));
            assertEquals(1, event.get("keyVersion").asInt());
            assertEquals(true, event.get("currentKeyVersion").isNull());
        }
        a.authed().get("/v1/users/me").then().statusCode(200)
                .body("currentKeyVersion", nullValue())
                .body("currentKey", nullValue());
        a.authed().post("/v1/users/me/keys/1/revoke").then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:key-already-revoked"));
        a.authed().post("/v1/users/me/keys/7/revoke").then().statusCode(404);
        a.authed().post("/v1/users/me/keys/x/revoke").then().statusCode(404);
    }

    @Test
    void badRotationUploadsChangeNothing() throws Exception {
        Accounts.Account a = Accounts.create("badrot");
        Map<String, Object> forged = Accounts.identityBody(TestIdentity.generate().withSignatureOf(TestIdentity.generate()));
        a.authed().body(forged).post("/v1/users/me/keys").then().statusCode(422)
                .body("type", equalTo("urn:e2echat:problem:bad-key-signature"));
        Map<String, Object> past = Accounts.identityBody(TestIdentity.generate());
        past.put("expiresAt", Instant.now().minusSeconds(5).toString());
        a.authed().body(past).post("/v1/users/me/keys").then().statusCode(422);
        a.authed().body("{\"suite\": [1]}").post("/v1/users/me/keys").then().statusCode(400);
        Map<String, Object> farFuture = Accounts.identityBody(TestIdentity.generate());
        farFuture.put("expiresAt", "+1000000000-01-01T00:00:00Z");
        a.authed().body(farFuture).post("/v1/users/me/keys").then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo("urn:e2echat:problem:malformed-request"));
        // every field present plus a repeated one: this used to be a 500 with an empty body
        Map<String, Object> full = Accounts.identityBody(TestIdentity.generate());
        full.put("expiresAt", "2030-01-01T00:00:00Z");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        String duplicated = "{\"suite\": " + json.writeValueAsString(full.get("suite")) + ", "
                + json.writeValueAsString(full).substring(1);
        a.authed().body(duplicated).post("/v1/users/me/keys").then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo("urn:e2echat:problem:malformed-request"));
        a.authed().get("/v1/users/me/keys".replace("me", a.id())).then()
                .body("currentKeyVersion", equalTo(1)).body("keys.size()", equalTo(1));
    }

    @Test
    void aKeyPastItsExpiryReadsAsExpired() {
        Accounts.Account a = Accounts.create("expiry");
        Map<String, Object> soon = Accounts.identityBody(TestIdentity.generate());
        soon.put("expiresAt", Instant.now().plusSeconds(2).toString());
        a.authed().body(soon).post("/v1/users/me/keys").then().statusCode(201).body("status", equalTo("ACTIVE"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                a.authed().get("/v1/users/" + a.id() + "/keys").then()
                        .body("keys[1].status", equalTo("EXPIRED")));
        a.authed().get("/v1/users/" + a.id()).then().body("currentKey", nullValue());
    }

    private boolean isFor(ConsumerRecord<String, String> record, String userId, String type) {
        try {
            JsonNode envelope = json.readTree(record.value());
            return userId.equals(record.key()) && type.equals(envelope.get("type").asText());
        } catch (Exception e) {
            return false;
        }
    }

    private JsonNode payloadOf(ConsumerRecord<String, String> record) throws Exception {
        JsonNode envelope = json.readTree(record.value());
        assertEquals(UserEvents.VERSION, envelope.get("version").asInt());
        return envelope.get("payload");
    }
}
