package org.e2echat.session.api;

import static org.e2echat.session.api.Fixture.createGroup;
import static org.e2echat.session.api.Fixture.direct;
import static org.e2echat.session.api.Fixture.envelope;
import static org.e2echat.session.api.Fixture.envelopes;
import static org.e2echat.session.api.Fixture.member;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.session.persistence.SessionMongoRepository;
import org.e2echat.testsupport.TestUser;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SessionCreationTest {

    @Inject
    Fixture fixture;

    @Inject
    SessionMongoRepository sessionStore;

    @Test
    void groupIsCreatedAtEpochOneAndEachMemberGetsOnlyTheirOwnEnvelope() {
        List<TestUser> p = fixture.people(3);
        TestUser owner = p.get(0);
        List<Map<String, Object>> sent = envelopes(owner, p);
        String id = createGroup(owner, List.of(member(p.get(1), "ADMIN"), member(p.get(2), "MEMBER")), sent)
                .then().statusCode(201)
                .body("type", equalTo("GROUP"))
                .body("currentEpoch", equalTo(1))
                .body("rekeyRequired", equalTo(false))
                .body("membership", equalTo("ACTIVE"))
                .body("members.userId", containsInAnyOrder(p.get(0).id(), p.get(1).id(), p.get(2).id()))
                .body("members.find { it.userId == '" + owner.id() + "' }.role", equalTo("OWNER"))
                .body("members.find { it.userId == '" + owner.id() + "' }.username", equalTo(owner.username()))
                .extract().path("id");
        for (int i = 0; i < 3; i++) {
            TestUser m = p.get(i);
            m.as().get("/v1/sessions/" + id + "/envelopes").then().statusCode(200)
                    .body("$", hasSize(1))
                    .body("[0].recipientId", equalTo(m.id()))
                    .body("[0].epoch", equalTo(1))
                    .body("[0].ciphertext", equalTo(sent.get(i).get("ciphertext")));
        }
    }

    @Test
    void theClientMayChooseTheSessionIdItsEnvelopesBind() {
        List<TestUser> p = fixture.people(2);
        String chosen = UUID.randomUUID().toString();
        Map<String, Object> body = new HashMap<>();
        body.put("sessionId", chosen);
        body.put("type", "GROUP");
        body.put("members", List.of(member(p.get(1), "MEMBER")));
        body.put("envelopes", envelopes(p.get(0), p));
        p.get(0).as().body(body).post("/v1/sessions").then().statusCode(201).body("id", equalTo(chosen));
        List<TestUser> q = fixture.people(2);
        Map<String, Object> again = new HashMap<>(body);
        again.put("members", List.of(member(q.get(1), "MEMBER")));
        again.put("envelopes", envelopes(q.get(0), q));
        q.get(0).as().body(again).post("/v1/sessions").then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:session-exists"));
        q.get(1).as().get("/v1/sessions/" + chosen).then().statusCode(404);
        again.put("sessionId", "NOT-A-UUID");
        q.get(0).as().body(again).post("/v1/sessions").then().statusCode(400)
                .body("type", equalTo("urn:e2echat:problem:invalid-session"));
    }

    @Test
    void directSessionIsUniquePerPair() {
        List<TestUser> p = fixture.people(2);
        Map<String, Object> body = new HashMap<>();
        body.put("type", "DIRECT");
        body.put("members", List.of(member(p.get(1), null)));
        body.put("envelopes", envelopes(p.get(0), p));
        String first = p.get(0).as().body(body).post("/v1/sessions").then().statusCode(201).extract().path("id");
        Map<String, Object> back = new HashMap<>(body);
        back.put("members", List.of(member(p.get(0), null)));
        back.put("envelopes", envelopes(p.get(1), p));
        String again = p.get(1).as().body(back).post("/v1/sessions").then().statusCode(200).extract().path("id");
        assertEquals(first, again);
    }

    @Test
    void aDirectCreateNamingSomebodyElsesSessionDoesNotHijackThePair() {
        List<TestUser> p = fixture.people(3);
        TestUser owner = p.get(0);
        TestUser attacker = fixture.people(1).get(0);
        String group = createGroup(owner, List.of(member(p.get(1), "MEMBER"), member(p.get(2), "MEMBER")),
                envelopes(owner, p)).then().statusCode(201).extract().path("id");

        Map<String, Object> hijack = direct(attacker, owner, group);
        attacker.as().body(hijack).post("/v1/sessions").then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:session-exists"));

        // the owner opening "direct chat with the attacker" gets a new direct session of the two, not the group
        String mine = owner.as().body(direct(owner, attacker, null)).post("/v1/sessions").then().statusCode(201)
                .body("type", equalTo("DIRECT"))
                .body("members.userId", containsInAnyOrder(owner.id(), attacker.id()))
                .extract().path("id");
        assertNotEquals(group, mine);

        // and the attacker's own direct create with the owner returns that session, not a 500
        attacker.as().body(direct(attacker, owner, null)).post("/v1/sessions").then().statusCode(200)
                .body("id", equalTo(mine));
    }

    @Test
    void aDirectCreateNamingSomebodyElsesSessionNeverReturnsIt() {
        List<TestUser> p = fixture.people(3);
        TestUser owner = p.get(0);
        TestUser attacker = fixture.people(1).get(0);
        String group = createGroup(owner, List.of(member(p.get(1), "MEMBER"), member(p.get(2), "MEMBER")),
                envelopes(owner, p)).then().statusCode(201).extract().path("id");
        Map<String, Object> hijack = direct(attacker, owner, group);
        attacker.as().body(hijack).post("/v1/sessions").then().statusCode(409);
        // the same request again must not answer with the group (nor 500)
        attacker.as().body(hijack).post("/v1/sessions").then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:session-exists"));
    }

    @Test
    void aStaleDirectClaimIsTakenOverNotHandedOut() {
        List<TestUser> p = fixture.people(3);
        TestUser owner = p.get(0);
        TestUser other = fixture.people(1).get(0);
        TestUser third = fixture.people(1).get(0);
        String group = createGroup(owner, List.of(member(p.get(1), "MEMBER"), member(p.get(2), "MEMBER")),
                envelopes(owner, p)).then().statusCode(201).extract().path("id");
        // claims a create left behind when it failed or crashed before its session was stored
        assertNull(sessionStore.claimDirect(pair(owner, other), group).await().indefinitely());
        assertNull(sessionStore.claimDirect(pair(owner, third), UUID.randomUUID().toString())
                .await().indefinitely());

        for (TestUser peer : List.of(other, third)) {
            String id = owner.as().body(direct(owner, peer, null)).post("/v1/sessions").then().statusCode(201)
                    .body("type", equalTo("DIRECT"))
                    .body("members.userId", containsInAnyOrder(owner.id(), peer.id()))
                    .extract().path("id");
            peer.as().body(direct(peer, owner, null)).post("/v1/sessions").then().statusCode(200).body("id", equalTo(id));
        }
    }

    private static String pair(TestUser a, TestUser b) {
        return a.id().compareTo(b.id()) < 0 ? a.id() + ":" + b.id() : b.id() + ":" + a.id();
    }

    @Test
    void envelopesMustTargetExactlyTheMembersAtTheirCurrentKeys() {
        List<TestUser> p = fixture.people(3);
        TestUser owner = p.get(0);
        List<Map<String, Object>> members = List.of(member(p.get(1), "MEMBER"), member(p.get(2), "MEMBER"));
        TestUser stranger = fixture.people(1).get(0);

        createGroup(owner, members, envelopes(owner, List.of(owner, p.get(1)))).then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:recipient-mismatch"))
                .body("missing", contains(p.get(2).id()));

        createGroup(owner, members, envelopes(owner, List.of(owner, p.get(1), p.get(2), stranger))).then()
                .statusCode(409).body("extra", contains(stranger.id()));

        List<Map<String, Object>> stale = new ArrayList<>(envelopes(owner, List.of(owner, p.get(1))));
        stale.add(envelope(p.get(2).withKeyVersion(7), owner));
        createGroup(owner, members, stale).then().statusCode(409).body("staleKeys", contains(p.get(2).id()));

        createGroup(owner.withKeyVersion(2), members, envelopes(owner.withKeyVersion(2), p)).then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:stale-sender-key"));

        // nothing was created by any of the refused attempts
        owner.as().get("/v1/sessions").then().statusCode(200).body("sessions", hasSize(0));
    }

    @Test
    void badEnvelopeShapesAndMembersAreRefused() {
        List<TestUser> p = fixture.people(2);
        TestUser owner = p.get(0);
        List<Map<String, Object>> members = List.of(member(p.get(1), "MEMBER"));
        Map<String, java.util.function.Consumer<Map<String, Object>>> edits = Map.of(
                "malformed-base64", e -> e.put("enc", "***"),
                "invalid-key-length", e -> e.put("ciphertext", Fixture.b64(47)),
                "unsupported-suite", e -> e.put("suite", "RSA"));
        edits.forEach((slug, edit) -> {
            List<Map<String, Object>> envs = new ArrayList<>();
            for (Map<String, Object> e : envelopes(owner, p)) {
                Map<String, Object> copy = new HashMap<>(e);
                edit.accept(copy);
                envs.add(copy);
            }
            createGroup(owner, members, envs).then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(422)))
                    .body("type", equalTo("urn:e2echat:problem:" + slug));
        });
        List<Map<String, Object>> dup = new ArrayList<>(envelopes(owner, p));
        dup.add(envelope(p.get(1), owner));
        createGroup(owner, members, dup).then().statusCode(400).body("type", equalTo("urn:e2echat:problem:invalid-envelopes"));

        String ghost = java.util.UUID.randomUUID().toString();
        createGroup(owner, List.of(Map.of("userId", ghost, "role", "MEMBER")), envelopes(owner, List.of(owner)))
                .then().statusCode(422).body("type", equalTo("urn:e2echat:problem:unknown-member"))
                .body("userIds", contains(ghost));

        TestUser deleted = fixture.people(1).get(0);
        fixture.publishUser(deleted.id(), UserEvents.UserDeleted.TYPE,
                new UserEvents.UserDeleted(deleted.id(), deleted.username(), "x", java.time.Instant.now()));
        fixture.awaitKnown(deleted.id(), u -> u.deleted());
        createGroup(owner, List.of(member(deleted, "MEMBER")), envelopes(owner, List.of(owner, deleted))).then()
                .statusCode(422).body("type", equalTo("urn:e2echat:problem:member-unavailable"));

        createGroup(owner, List.of(member(p.get(1), "OWNER")), envelopes(owner, p)).then().statusCode(400);
        owner.as().body("{\"type\": \"CIRCLE\", \"members\": [], \"envelopes\": []}").post("/v1/sessions").then()
                .statusCode(400).body("type", equalTo("urn:e2echat:problem:malformed-request"));
        owner.as().body("{\"type\": \"GROUP\", \"members\": [], \"$where\": 1}").post("/v1/sessions").then()
                .statusCode(400);
        owner.as().get("/v1/sessions").then().body("sessions", hasSize(0));
    }
}
