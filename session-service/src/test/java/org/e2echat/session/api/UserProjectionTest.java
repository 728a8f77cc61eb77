package org.e2echat.session.api;

import static org.e2echat.session.api.Fixture.createGroup;
import static org.e2echat.session.api.Fixture.envelopes;
import static org.e2echat.session.api.Fixture.group;
import static org.e2echat.session.api.Fixture.member;
import static org.e2echat.session.api.Fixture.state;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.infra.LocalInfra;
import org.e2echat.session.domain.KnownUser;
import org.e2echat.session.persistence.KnownUserMongoRepository;
import org.e2echat.testsupport.TestUser;
import org.junit.jupiter.api.Test;

/**
 * The user projection from {@code chat.users}, which relays deliver at least once and possibly out
 * of order: only newer revisions change it, its effects on sessions survive a redelivery, and each
 * user's latest record alone rebuilds it.
 */
@QuarkusTest
class UserProjectionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Fixture fixture;

    @Inject
    KnownUserMongoRepository directory;

    @Test
    void lateAndRepeatedEventsNeverUndeleteAUser() {
        TestUser gone = new TestUser(UUID.randomUUID().toString(), "gone-" + UUID.randomUUID().toString().substring(0, 8), 1);
        var registered = new UserEvents.UserRegistered(gone.id(), gone.username(), "Person " + gone.username(), 1,
                "00".repeat(32));
        var rotated = new UserEvents.UserKeyRotated(gone.id(), 1, 2, "11".repeat(32), state(gone, 2, false, 1));
        var deleted = new UserEvents.UserDeleted(gone.id(), gone.username(), "Person " + gone.username(),
                Instant.now(), state(gone, null, true, 2));
        fixture.publishUser(gone.id(), UserEvents.UserKeyRotated.TYPE, rotated);
        fixture.publishUser(gone.id(), UserEvents.UserDeleted.TYPE, deleted);
        fixture.publishUser(gone.id(), UserEvents.UserRegistered.TYPE, registered);
        fixture.publishUser(gone.id(), UserEvents.UserKeyRotated.TYPE, rotated);
        fixture.publishUser(gone.id(), UserEvents.UserDeleted.TYPE, deleted);
        fixture.publishUser(gone.id(), UserEvents.UserRegistered.TYPE, registered);
        fixture.awaitUserEventsHandled(gone.id());

        assertEquals(new KnownUser(gone.id(), gone.username(), "Person " + gone.username(), true, null, 2), known(gone));
        TestUser owner = fixture.people(1).get(0);
        createGroup(owner, List.of(member(gone, "MEMBER")), envelopes(owner, List.of(owner, gone))).then()
                .statusCode(422).body("type", equalTo("urn:e2echat:problem:member-unavailable"))
                .body("userIds", contains(gone.id()));
    }

    @Test
    void anOlderKeyRotationNeverRollsTheKeyBack() {
        List<TestUser> p = fixture.people(2);
        TestUser bob = p.get(1);
        var toTwo = new UserEvents.UserKeyRotated(bob.id(), 1, 2, "22".repeat(32), state(bob, 2, false, 1));
        var toThree = new UserEvents.UserKeyRotated(bob.id(), 2, 3, "33".repeat(32), state(bob, 3, false, 2));
        fixture.publishUser(bob.id(), UserEvents.UserKeyRotated.TYPE, toThree);
        fixture.publishUser(bob.id(), UserEvents.UserKeyRotated.TYPE, toTwo);
        fixture.publishUser(bob.id(), UserEvents.UserKeyRotated.TYPE, toThree);
        fixture.publishUser(bob.id(), UserEvents.UserKeyRotated.TYPE, toTwo);
        fixture.publishUser(bob.id(), UserEvents.UserRegistered.TYPE, new UserEvents.UserRegistered(bob.id(),
                bob.username(), "Person " + bob.username(), 1, "00".repeat(32)));
        fixture.awaitUserEventsHandled(bob.id());

        assertEquals(3, known(bob).currentKeyVersion());
        assertEquals(2, known(bob).revision());
        TestUser alice = p.get(0);
        createGroup(alice, List.of(member(bob, "MEMBER")), envelopes(alice, List.of(alice, bob.withKeyVersion(2))))
                .then().statusCode(409).body("staleKeys", contains(bob.id()));
        group(alice, List.of(bob.withKeyVersion(3)));
    }

    @Test
    void aRedeliveredRevocationStillRequiresTheRekeyItsFirstDeliveryNeverGotTo() {
        List<TestUser> q = fixture.people(2);
        TestUser bob = q.get(1);
        String id = group(q.get(0), List.of(bob));
        // the first delivery wrote the projection, then the consumer died before touching sessions
        assertTrue(directory.applyIfNewer(new KnownUser(bob.id(), bob.username(), "Person " + bob.username(), false,
                null, 1)).await().atMost(WAIT));

        fixture.publishUser(bob.id(), UserEvents.UserKeyRevoked.TYPE,
                new UserEvents.UserKeyRevoked(bob.id(), 1, null, state(bob, null, false, 1)));

        Awaitility.await().atMost(WAIT).untilAsserted(() -> q.get(0).as().get("/v1/sessions/" + id).then()
                .body("rekeyRequired", equalTo(true)).body("rekeyReason", equalTo("KEY_REVOKED")));
    }

    @Test
    void aRedeliveredDeletionStillRemovesTheUserFromTheirSessions() {
        List<TestUser> q = fixture.people(3);
        TestUser bob = q.get(1);
        String id = group(q.get(0), q.subList(1, 3));
        assertTrue(directory.applyIfNewer(new KnownUser(bob.id(), bob.username(), "Person " + bob.username(), true,
                null, 1)).await().atMost(WAIT));

        fixture.publishUser(bob.id(), UserEvents.UserDeleted.TYPE, new UserEvents.UserDeleted(bob.id(),
                bob.username(), "Person " + bob.username(), Instant.now(), state(bob, null, true, 1)));

        Awaitility.await().atMost(WAIT).untilAsserted(() -> q.get(0).as().get("/v1/sessions/" + id + "/members")
                .then().statusCode(200).body("userId", not(hasItem(bob.id()))));
        q.get(0).as().get("/v1/sessions/" + id).then().body("rekeyReason", equalTo("MEMBER_DELETED"));
    }

    @Test
    void aDeletedAccountsTokensAreRefused() {
        List<TestUser> q = fixture.people(2);
        TestUser bob = q.get(1);
        String id = group(q.get(0), List.of(bob));
        bob.as().get("/v1/sessions/" + id).then().statusCode(200);
        fixture.publishUser(bob.id(), UserEvents.UserDeleted.TYPE, new UserEvents.UserDeleted(bob.id(),
                bob.username(), "Person " + bob.username(), Instant.now(), state(bob, null, true, 1)));
        // his access token is still signed and unexpired; the account is gone
        Awaitility.await().atMost(WAIT).untilAsserted(() -> bob.as().get("/v1/sessions").then().statusCode(401)
                .contentType("application/problem+json").body("type", equalTo("urn:e2echat:problem:unauthenticated")));
        bob.as().get("/v1/sessions/" + id).then().statusCode(401);
        q.get(0).as().get("/v1/sessions/" + id).then().statusCode(200);
    }

    @Test
    void aUsersLatestRecordAloneRebuildsTheirProjection() {
        TestUser carol = new TestUser(UUID.randomUUID().toString(), "carol-" + UUID.randomUUID().toString().substring(0, 8), 2);
        // all compaction may have left of carol: her revocation of version 1, long after she registered
        fixture.publishUser(carol.id(), UserEvents.UserKeyRevoked.TYPE,
                new UserEvents.UserKeyRevoked(carol.id(), 1, 2, state(carol, 2, false, 5)));
        fixture.awaitKnown(carol.id(), u -> u != null);

        assertEquals(new KnownUser(carol.id(), carol.username(), "Person " + carol.username(), false, 2, 5), known(carol));
        TestUser owner = fixture.people(1).get(0);
        group(owner, List.of(carol));
    }

    @Test
    void chatUsersIsCompactedSoEveryUsersLatestRecordIsKeptForever() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", LocalInfra.shared().kafka().bootstrapServers()))) {
            ConfigResource users = new ConfigResource(ConfigResource.Type.TOPIC, Topic.USERS.name());
            Config config = admin.describeConfigs(List.of(users)).all().get(30, TimeUnit.SECONDS).get(users);
            assertEquals("compact", config.get("cleanup.policy").value());
        }
    }

    private KnownUser known(TestUser user) {
        return directory.get(user.id()).await().atMost(WAIT);
    }
}
