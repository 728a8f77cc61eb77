package org.e2echat.session.api;

import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.Awaitility;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.MessageEvents;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.contracts.identity.IdentityEncoding;
import org.e2echat.session.domain.KnownUser;
import org.e2echat.session.persistence.KnownUserMongoRepository;
import org.e2echat.testsupport.TestEvents;
import org.e2echat.testsupport.TestUser;

/**
 * Test people and sessions: users come into being the way they do in production, as
 * {@code chat.users} events on the real broker; tokens come from the shared test key.
 */
@Singleton
final class Fixture {

    private final KnownUserMongoRepository directory;

    @Inject
    Fixture(KnownUserMongoRepository directory) {
        this.directory = directory;
    }

    /** Registered users, known to session-service once this returns. */
    List<TestUser> people(int n) {
        List<TestUser> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(TestEvents.registerUser("p"));
        }
        for (TestUser p : list) {
            awaitKnown(p.id(), u -> u != null);
        }
        return list;
    }

    void publishUser(String userId, String type, Object payload) {
        TestEvents.publish(Topic.USERS, userId, type, UserEvents.VERSION, payload);
    }

    /** The state a user event of {@code p} announces (names as {@link TestEvents#registerUser} gives them). */
    static UserEvents.UserState state(TestUser p, Integer currentKeyVersion, boolean deleted, long revision) {
        return new UserEvents.UserState(p.username(), "Person " + p.username(), deleted, currentKeyVersion, revision);
    }

    /**
     * Waits until the user consumer has handled every {@code chat.users} record published so far
     * under {@code userId}: it handles a partition in order, so it has once a probe user published
     * afterwards to the same partition is known.
     */
    void awaitUserEventsHandled(String userId) {
        int partition = partitionOf(userId);
        String probe;
        do {
            probe = UUID.randomUUID().toString();
        } while (partitionOf(probe) != partition);
        publishUser(probe, UserEvents.UserRegistered.TYPE,
                new UserEvents.UserRegistered(probe, "probe-" + probe.substring(0, 8), "Probe", 1, "00".repeat(32)));
        awaitKnown(probe, u -> u != null);
    }

    private static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % Topic.USERS.partitions();
    }

    void publishMessage(String sessionId, long seq, int epoch, List<String> recipients) {
        publishMessage(UUID.randomUUID().toString(), sessionId, seq, epoch, recipients);
    }

    /** A {@code MessageStored} as message-service publishes it; the same {@code messageId} again is a redelivery. */
    void publishMessage(String messageId, String sessionId, long seq, int epoch, List<String> recipients) {
        TestEvents.publish(Topic.MESSAGES, sessionId, MessageEvents.MessageStored.TYPE, MessageEvents.VERSION,
                new MessageEvents.MessageStored(messageId, sessionId, seq, epoch, recipients.get(0),
                        "n", "N", 1, IdentityEncoding.SUITE_V1, UUID.nameUUIDFromBytes(messageId.getBytes(
                                StandardCharsets.UTF_8)).toString(), b64(12), b64(40), b64(64), Instant.now(),
                        Instant.now(), recipients));
    }

    void awaitKnown(String userId, java.util.function.Predicate<KnownUser> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> condition.test(directory.get(userId).await().atMost(Duration.ofSeconds(5))));
    }

    static Map<String, Object> envelope(TestUser recipient, TestUser sender) {
        return sender.envelopeFor(recipient);
    }

    static List<Map<String, Object>> envelopes(TestUser sender, List<TestUser> recipients) {
        return sender.envelopesFor(recipients);
    }

    static Map<String, Object> member(TestUser p, String role) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("userId", p.id());
        m.put("role", role);
        return m;
    }

    /** A group created by {@code owner} with the others as MEMBERs. */
    static String group(TestUser owner, List<TestUser> others) {
        List<TestUser> all = new ArrayList<>();
        all.add(owner);
        all.addAll(others);
        return createGroup(owner, others.stream().map(p -> member(p, "MEMBER")).toList(), envelopes(owner, all))
                .then().statusCode(201).extract().path("id");
    }

    static Response createGroup(TestUser owner, List<Map<String, Object>> members, List<Map<String, Object>> envelopes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "GROUP");
        body.put("members", members);
        body.put("envelopes", envelopes);
        return owner.as().body(body).post("/v1/sessions");
    }

    /** The body of {@code from}'s DIRECT create with {@code other}, optionally naming its session id. */
    static Map<String, Object> direct(TestUser from, TestUser other, String sessionId) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (sessionId != null) {
            body.put("sessionId", sessionId);
        }
        body.put("type", "DIRECT");
        body.put("members", List.of(member(other, null)));
        body.put("envelopes", envelopes(from, List.of(from, other)));
        return body;
    }

    static Response rotate(TestUser by, String sessionId, int epoch, List<TestUser> recipients,
            List<Map<String, Object>> add) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("epoch", epoch);
        body.put("addMembers", add);
        body.put("envelopes", envelopes(by, recipients));
        return by.as().body(body).post("/v1/sessions/" + sessionId + "/rotations");
    }

    static String b64(int n) {
        return TestUser.randomBase64(n);
    }
}
