package org.e2echat.user.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Map;
import org.e2echat.contracts.Topic;
import org.e2echat.infra.LocalInfra;
import org.e2echat.testsupport.TestIdentity;
import org.e2echat.testsupport.TopicRecorder;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AccountDeletionTest {

    @Test
    void wrongPasswordDeletesNothing() {
        Accounts.Account a = Accounts.create("keep");
        a.authed().body(Map.of("password", "not my password")).delete("/v1/users/me").then()
                .statusCode(403).body("type", equalTo("urn:e2echat:problem:invalid-credentials"));
        a.authed().get("/v1/users/me").then().statusCode(200).body("deleted", equalTo(false));
        Accounts.login(a.username(), a.password()).then().statusCode(200);
    }

    @Test
    void deletionLeavesATombstoneWithTheNameRevokesEverythingAndIsPublished() throws Exception {
        Accounts.Account gone = Accounts.create("gone");
        Accounts.Account other = Accounts.create("witness");
        String displayName = "Display " + gone.username();
        try (TopicRecorder events = TopicRecorder.open(LocalInfra.shared().kafka().bootstrapServers(), Topic.USERS.name())) {
            gone.authed().body(Map.of("password", gone.password())).delete("/v1/users/me").then().statusCode(204);

            var record = events.await(r -> gone.id().equals(r.key()) && r.value().contains("\"UserDeleted\""),
                    Duration.ofSeconds(20));
            JsonNode payload = new ObjectMapper().readTree(record.value()).get("payload");
            assertEquals(gone.username(), payload.get("username").asText());
            assertEquals(displayName, payload.get("displayName").asText());
        }

        other.authed().get("/v1/users/" + gone.id()).then().statusCode(200)
                .body("deleted", equalTo(true))
                .body("username", equalTo(gone.username()))
                .body("displayName", equalTo(displayName))
                .body("deletedAt", notNullValue())
                .body("currentKey", equalTo(null));
        other.authed().get("/v1/users/" + gone.id() + "/keys").then().statusCode(200)
                .body("keys.status", everyItem(equalTo("REVOKED")));

        // credentials, tokens and refresh tokens are dead
        Accounts.login(gone.username(), gone.password()).then().statusCode(401)
                .body("type", equalTo("urn:e2echat:problem:invalid-credentials"));
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", gone.refreshToken()))
                .post("/v1/auth/refresh").then().statusCode(401);
        gone.authed().get("/v1/users/me").then().statusCode(401);
        gone.authed().body(Accounts.identityBody(TestIdentity.generate())).post("/v1/users/me/keys").then().statusCode(401);

        // the name stays reserved, so nobody can pose as the author of the old messages
        Accounts.postRegistration(Accounts.registration(gone.username().toUpperCase(), "Impostor", Accounts.PASSWORD,
                TestIdentity.generate())).then().statusCode(409);
    }
}
