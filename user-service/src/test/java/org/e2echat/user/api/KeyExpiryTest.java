package org.e2echat.user.api;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.e2echat.contracts.Topic;
import org.e2echat.infra.LocalInfra;
import org.e2echat.testsupport.TestIdentity;
import org.e2echat.testsupport.TopicRecorder;
import org.e2echat.user.domain.UserService;
import org.junit.jupiter.api.Test;

/** A key reaching its expiresAt is a lifecycle event, announced once, like a revocation; renewal avoids it. */
@QuarkusTest
class KeyExpiryTest {

    @Inject
    UserService users;

    @Test
    void aKeyReachingItsExpiryIsAnnouncedLikeARevocation() throws Exception {
        Accounts.Account a = Accounts.create("expires");
        Instant expiresAt = Instant.now().plusSeconds(2).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        try (TopicRecorder events = TopicRecorder.open(LocalInfra.shared().kafka().bootstrapServers(), Topic.USERS.name())) {
            a.authed().body(expiring(expiresAt)).post("/v1/users/me/keys").then().statusCode(201);
            JsonNode rotated = Accounts.payload(events.await(r -> Accounts.isEvent(r, a.id(), "UserKeyRotated"), Duration.ofSeconds(20)));
            assertEquals(expiresAt, Instant.parse(rotated.at("/state/currentKeyExpiresAt").asText()),
                    "consumers learn the expiry with the key, so they can refuse it from that instant on");

            JsonNode expired = Accounts.payload(events.await(r -> Accounts.isEvent(r, a.id(), "UserKeyExpired"), Duration.ofSeconds(20)));
            assertEquals(2, expired.get("keyVersion").asInt());
            assertEquals(expiresAt, Instant.parse(expired.get("expiresAt").asText()));
            assertTrue(expired.get("currentKeyVersion").isNull());
            assertTrue(expired.at("/state/currentKeyVersion").isNull(), "no current key, as after a revocation");
            assertEquals(rotated.at("/state/revision").asLong() + 1, expired.at("/state/revision").asLong());
        }
        a.authed().get("/v1/users/me").then().statusCode(200)
                .body("currentKeyVersion", nullValue())
                .body("currentKey", nullValue());
        a.authed().get("/v1/users/" + a.id() + "/keys").then().statusCode(200)
                .body("currentKeyVersion", nullValue())
                .body("keys[1].status", equalTo("EXPIRED"));

        // renewal after the fact: the next version becomes current, the expired one stays EXPIRED
        a.authed().body(Accounts.identityBody(TestIdentity.generate())).post("/v1/users/me/keys").then()
                .statusCode(201).body("version", equalTo(3));
        a.authed().get("/v1/users/" + a.id() + "/keys").then()
                .body("currentKeyVersion", equalTo(3))
                .body("keys[0].status", equalTo("SUPERSEDED"))
                .body("keys[1].status", equalTo("EXPIRED"))
                .body("keys[2].status", equalTo("ACTIVE"));
    }

    @Test
    void concurrentCheckersRecordAnExpiryExactlyOnce() throws Exception {
        Accounts.Account a = Accounts.create("expires-once");
        Instant expiresAt = Instant.now().plusSeconds(1);
        try (TopicRecorder events = TopicRecorder.open(LocalInfra.shared().kafka().bootstrapServers(), Topic.USERS.name())) {
            a.authed().body(expiring(expiresAt)).post("/v1/users/me/keys").then().statusCode(201);
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiresAt).toMillis() + 20));
            // four checkers (replicas) and the service's own scheduler race for the same expiry
            CyclicBarrier start = new CyclicBarrier(4);
            List<CompletableFuture<Boolean>> racers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                racers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return users.expireDueKey(a.id()).await().atMost(Duration.ofSeconds(20));
                }));
            }
            long won = 0;
            for (CompletableFuture<Boolean> racer : racers) {
                won += racer.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertTrue(won <= 1, won + " checkers stored the same expiry");
            events.await(r -> Accounts.isEvent(r, a.id(), "UserKeyExpired"), Duration.ofSeconds(20));
            Thread.sleep(2_000); // time for a duplicate to show up, had one been stored
            assertEquals(1, events.all(r -> Accounts.isEvent(r, a.id(), "UserKeyExpired")).size());
            assertEquals(false, users.expireDueKey(a.id()).await().atMost(Duration.ofSeconds(20)),
                    "a recorded expiry is not due again");
        }
    }

    @Test
    void renewingBeforeExpiryMeansTheKeyNeverExpires() throws Exception {
        Accounts.Account a = Accounts.create("renews");
        Instant expiresAt = Instant.now().plusSeconds(2);
        try (TopicRecorder events = TopicRecorder.open(LocalInfra.shared().kafka().bootstrapServers(), Topic.USERS.name())) {
            a.authed().body(expiring(expiresAt)).post("/v1/users/me/keys").then().statusCode(201);
            a.authed().body(expiring(Instant.now().plus(Duration.ofDays(30)))).post("/v1/users/me/keys").then()
                    .statusCode(201).body("version", equalTo(3));
            events.await(r -> Accounts.isEvent(r, a.id(), "UserKeyRotated") && r.value().contains("\"keyVersion\":3"),
                    Duration.ofSeconds(20));
            Awaitility.await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertEquals(List.of(), events.all(r -> Accounts.isEvent(r, a.id(), "UserKeyExpired")));
        }
        a.authed().get("/v1/users/" + a.id() + "/keys").then()
                .body("currentKeyVersion", equalTo(3))
                .body("keys[1].status", equalTo("SUPERSEDED"));
    }

    private static Map<String, Object> expiring(Instant expiresAt) {
        Map<String, Object> body = Accounts.identityBody(TestIdentity.generate());
        body.put("expiresAt", expiresAt.toString());
        return body;
    }

}
