package org.e2echat.session.api;

import static org.e2echat.session.api.Fixture.group;
import static org.e2echat.session.api.Fixture.rotate;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.infra.LocalInfra;
import org.e2echat.testsupport.TestUser;
import org.e2echat.testsupport.TopicRecorder;
import org.junit.jupiter.api.Test;

/** Every trigger sets rekey-required, refuses sends until a rotation, and tells exactly the right people. */
@QuarkusTest
class RekeyTriggersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Fixture fixture;

    @Test
    void removalTellsTheRemovedMemberThenOnlyTheOthers() throws Exception {
        List<TestUser> p = fixture.people(3);
        String id = group(p.get(0), p.subList(1, 3));
        TestUser carol = p.get(2);
        try (TopicRecorder events = sessions()) {
            p.get(0).as().delete("/v1/sessions/" + id + "/members/" + carol.id()).then().statusCode(204);

            JsonNode removed = payload(events.await(r -> is(r, id, "MemberRemoved"), Duration.ofSeconds(20)));
            assertEquals(carol.id(), removed.get("userId").asText());
            assertEquals("REMOVED", removed.get("reason").asText());
            assertEquals(ids(p), recipients(removed));
            JsonNode rekey = payload(events.await(r -> is(r, id, "RekeyRequired"), Duration.ofSeconds(20)));
            assertEquals("MEMBER_REMOVED", rekey.get("reason").asText());
            assertEquals(ids(p.subList(0, 2)), recipients(rekey));
        }
        assertRekeyRequired(p.get(0), id, "MEMBER_REMOVED");
        // the removed member is cut off at once
        carol.as().get("/v1/sessions/" + id + "/send-permission?epoch=1").then().statusCode(403)
                .body("type", equalTo("urn:e2echat:problem:membership-ended"));
        carol.as().get("/v1/sessions/" + id + "/access").then().statusCode(200)
                .body("active", equalTo(false)).body("leftEpoch", equalTo(1));

        try (TopicRecorder events = sessions()) {
            rotate(p.get(1), id, 2, p.subList(0, 2), null).then().statusCode(200).body("rekeyRequired", equalTo(false));
            JsonNode rotated = payload(events.await(r -> is(r, id, "SessionKeyRotated"), Duration.ofSeconds(20)));
            assertEquals(ids(p.subList(0, 2)), recipients(rotated));
        }
        p.get(0).as().get("/v1/sessions/" + id + "/send-permission?epoch=2").then().statusCode(200)
                .body("recipients.size()", equalTo(2));
        carol.as().get("/v1/sessions/" + id + "/envelopes").then().statusCode(200).body("epoch", org.hamcrest.Matchers.contains(1));
        carol.as().get("/v1/sessions/" + id + "/envelopes?epoch=2").then().statusCode(404);
    }

    @Test
    void leavingRequiresARekey() throws Exception {
        List<TestUser> p = fixture.people(3);
        String id = group(p.get(0), p.subList(1, 3));
        try (TopicRecorder events = sessions()) {
            p.get(0).as().post("/v1/sessions/" + id + "/leave").then().statusCode(204);
            awaitRekeyEvent(events, id, "MEMBER_LEFT", p.subList(1, 3));
        }
        assertRekeyRequired(p.get(1), id, "MEMBER_LEFT");
        // the owner left: someone else owns the group now
        p.get(1).as().get("/v1/sessions/" + id + "/members").then()
                .body("findAll { it.role == 'OWNER' }.size()", equalTo(1));
    }

    @Test
    void aMembersKeyRotationOrRevocationRequiresARekey() throws Exception {
        List<TestUser> p = fixture.people(3);
        String rotatedSession = group(p.get(0), p.subList(1, 3));
        try (TopicRecorder events = sessions()) {
            fixture.publishUser(p.get(1).id(), UserEvents.UserKeyRotated.TYPE,
                    new UserEvents.UserKeyRotated(p.get(1).id(), 1, 2, "11".repeat(32), Fixture.state(p.get(1), 2, false, 1)));
            awaitRekeyEvent(events, rotatedSession, "KEY_ROTATED", p);
        }
        awaitRekey(p.get(0), rotatedSession, "KEY_ROTATED");
        // the rotation must now address the new key version
        List<TestUser> stale = p;
        rotate(p.get(0), rotatedSession, 2, stale, null).then().statusCode(409)
                .body("staleKeys", org.hamcrest.Matchers.contains(p.get(1).id()));
        List<TestUser> fresh = List.of(p.get(0), p.get(1).withKeyVersion(2), p.get(2));
        rotate(p.get(0), rotatedSession, 2, fresh, null).then().statusCode(200);

        List<TestUser> q = fixture.people(2);
        String revokedSession = group(q.get(0), q.subList(1, 2));
        try (TopicRecorder events = sessions()) {
            fixture.publishUser(q.get(1).id(), UserEvents.UserKeyRevoked.TYPE,
                    new UserEvents.UserKeyRevoked(q.get(1).id(), 1, null, Fixture.state(q.get(1), null, false, 1)));
            awaitRekeyEvent(events, revokedSession, "KEY_REVOKED", q);
        }
        awaitRekey(q.get(0), revokedSession, "KEY_REVOKED");
        // without an active key the member cannot be rotated to
        rotate(q.get(0), revokedSession, 2, q, null).then().statusCode(422)
                .body("type", equalTo("urn:e2echat:problem:member-unavailable"));
    }

    @Test
    void aMembersKeyExpiryActsLikeARevocationUntilTheyRenew() throws Exception {
        List<TestUser> p = fixture.people(3);
        TestUser bob = p.get(1);
        String id = group(p.get(0), p.subList(1, 3));
        Instant expiresAt = Instant.now().plusSeconds(2);
        // bob's key 1 is announced with its expiry (as every user state carries it)
        fixture.publishUser(bob.id(), UserEvents.UserStateRestated.TYPE, new UserEvents.UserStateRestated(bob.id(),
                new UserEvents.UserState(bob.username(), "Person " + bob.username(), false, 1, expiresAt, 1)));
        fixture.awaitUserEventsHandled(bob.id());
        p.get(0).as().get("/v1/sessions/" + id + "/send-permission?epoch=1").then().statusCode(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expiresAt));

        // from expiresAt on, before any event says so: nothing is wrapped to the expired key ...
        rotate(p.get(0), id, 2, p, null).then().statusCode(422)
                .body("type", equalTo("urn:e2echat:problem:member-unavailable"))
                .body("userIds", org.hamcrest.Matchers.contains(bob.id()));
        // ... and nothing is sent with it: the session needs a key for bob's renewed identity
        bob.as().get("/v1/sessions/" + id + "/send-permission?epoch=1").then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:rekey-required"))
                .body("reason", equalTo("KEY_EXPIRED"));

        // user-service's UserKeyExpired rekeys every session of bob with reason KEY_EXPIRED
        List<TestUser> q = fixture.people(2);
        TestUser dan = q.get(1);
        String other = group(q.get(0), q.subList(1, 2));
        try (TopicRecorder events = sessions()) {
            fixture.publishUser(dan.id(), UserEvents.UserKeyExpired.TYPE, new UserEvents.UserKeyExpired(dan.id(), 1,
                    Instant.now(), null, Fixture.state(dan, null, false, 1)));
            awaitRekeyEvent(events, other, "KEY_EXPIRED", q);
        }
        awaitRekey(q.get(0), other, "KEY_EXPIRED");
        rotate(q.get(0), other, 2, q, null).then().statusCode(422)
                .body("type", equalTo("urn:e2echat:problem:member-unavailable"));

        // renewal: dan uploads key 2; the rotation wraps to it and sends go through again
        fixture.publishUser(dan.id(), UserEvents.UserKeyRotated.TYPE, new UserEvents.UserKeyRotated(dan.id(), null, 2,
                "22".repeat(32), Fixture.state(dan, 2, false, 2)));
        fixture.awaitUserEventsHandled(dan.id());
        rotate(q.get(0), other, 2, List.of(q.get(0), dan.withKeyVersion(2)), null).then().statusCode(200);
        q.get(0).as().get("/v1/sessions/" + other + "/send-permission?epoch=2").then().statusCode(200);
    }

    @Test
    void aDeletedAccountLeavesItsSessions() throws Exception {
        List<TestUser> p = fixture.people(3);
        String id = group(p.get(0), p.subList(1, 3));
        TestUser bob = p.get(1);
        try (TopicRecorder events = sessions()) {
            fixture.publishUser(bob.id(), UserEvents.UserDeleted.TYPE,
                    new UserEvents.UserDeleted(bob.id(), bob.username(), "Bob", Instant.now()));
            JsonNode removed = payload(events.await(r -> is(r, id, "MemberRemoved"), Duration.ofSeconds(20)));
            assertEquals("DELETED", removed.get("reason").asText());
            awaitRekeyEvent(events, id, "MEMBER_DELETED", List.of(p.get(0), p.get(2)));
        }
        assertRekeyRequired(p.get(0), id, "MEMBER_DELETED");
        p.get(0).as().get("/v1/sessions/" + id + "/members").then().body("userId",
                org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(bob.id())));
    }

    @Test
    void tooManyMessagesInOneEpochRequireARekeyAndKeepTheActivitySummary() throws Exception {
        List<TestUser> p = fixture.people(2);
        String id = group(p.get(0), p.subList(1, 2));
        try (TopicRecorder events = sessions()) {
            for (int seq = 1; seq <= 5; seq++) {
                fixture.publishMessage(id, seq, 1, List.copyOf(ids(p)));
            }
            awaitRekeyEvent(events, id, "POLICY_MESSAGES", p);
        }
        awaitRekey(p.get(0), id, "POLICY_MESSAGES");
        p.get(0).as().get("/v1/sessions/" + id).then().body("lastMessageSeq", equalTo(5));
        p.get(0).as().get("/v1/sessions/" + id + "/send-permission?epoch=1").then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:rekey-required"))
                .body("currentEpoch", equalTo(1))
                .body("reason", equalTo("POLICY_MESSAGES"));
    }

    @Test
    void aRedeliveredMessageIsCountedOnce() throws Exception {
        List<TestUser> p = fixture.people(2);
        String id = group(p.get(0), p.subList(1, 2));
        List<String> recipients = List.copyOf(ids(p));
        String[] messageIds = {null, UUID.randomUUID().toString(), UUID.randomUUID().toString(),
            UUID.randomUUID().toString(), UUID.randomUUID().toString(), UUID.randomUUID().toString()};
        // four messages, three of them delivered twice and out of order: seven deliveries
        for (int seq : new int[] {1, 2, 1, 3, 2, 3, 4}) {
            fixture.publishMessage(messageIds[seq], id, seq, 1, recipients);
        }
        // seq 4 arrives last, so once it shows every delivery has been handled
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                p.get(0).as().get("/v1/sessions/" + id).then().body("lastMessageSeq", equalTo(4)));
        p.get(0).as().get("/v1/sessions/" + id).then().body("rekeyRequired", equalTo(false));
        p.get(0).as().get("/v1/sessions/" + id + "/send-permission?epoch=1").then().statusCode(200);

        // the fifth distinct message reaches the policy's limit of five
        try (TopicRecorder events = sessions()) {
            fixture.publishMessage(messageIds[5], id, 5, 1, recipients);
            awaitRekeyEvent(events, id, "POLICY_MESSAGES", p);
        }
    }

    private void assertRekeyRequired(TestUser viewer, String id, String reason) {
        viewer.as().get("/v1/sessions/" + id).then().statusCode(200)
                .body("rekeyRequired", equalTo(true)).body("rekeyReason", equalTo(reason));
        viewer.as().get("/v1/sessions/" + id + "/send-permission?epoch=1").then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:rekey-required"));
    }

    private void awaitRekey(TestUser viewer, String id, String reason) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertRekeyRequired(viewer, id, reason));
    }

    private static void awaitRekeyEvent(TopicRecorder events, String id, String reason, List<TestUser> told)
            throws Exception {
        JsonNode rekey = payload(events.await(r -> is(r, id, "RekeyRequired") && r.value().contains(reason),
                Duration.ofSeconds(20)));
        assertEquals(ids(told), recipients(rekey));
    }

    private static TopicRecorder sessions() {
        return TopicRecorder.open(LocalInfra.shared().kafka().bootstrapServers(), Topic.SESSIONS.name());
    }

    private static boolean is(ConsumerRecord<String, String> r, String sessionId, String type) {
        return sessionId.equals(r.key()) && r.value().contains("\"type\":\"" + type + "\"");
    }

    private static JsonNode payload(ConsumerRecord<String, String> r) throws Exception {
        return JSON.readTree(r.value()).get("payload");
    }

    private static Set<String> recipients(JsonNode payload) {
        Set<String> ids = new TreeSet<>();
        payload.get("recipients").forEach(n -> ids.add(n.asText()));
        return ids;
    }

    private static Set<String> ids(List<TestUser> people) {
        Set<String> ids = new TreeSet<>();
        people.forEach(x -> ids.add(x.id()));
        return ids;
    }

}
