package org.e2echat.user.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.infra.LocalInfra;
import org.e2echat.testsupport.TestEvents;
import org.e2echat.testsupport.TestIdentity;
import org.e2echat.testsupport.TopicRecorder;
import org.e2echat.user.api.Accounts;
import org.e2echat.user.persistence.UserMongoRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What user-service puts on {@code chat.users}: every event carries the user's state at the
 * revision the change was stored at, and the newest state stays the last record of each user.
 */
@QuarkusTest
class UserEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static KafkaProducer<String, String> producer;

    @Inject
    UserMongoRepository users;

    @AfterAll
    static void closeProducer() {
        if (producer != null) {
            producer.close();
        }
    }

    @Test
    void everyEventCarriesTheUsersStateAtTheRevisionItWasStoredAt() throws Exception {
        try (TopicRecorder events = recorder()) {
            Accounts.Account a = Accounts.create("rev");
            a.authed().body(Accounts.identityBody(TestIdentity.generate())).post("/v1/users/me/keys").then()
                    .statusCode(201);
            a.authed().post("/v1/users/me/keys/1/revoke").then().statusCode(200);
            a.authed().body(Map.of("password", a.password())).delete("/v1/users/me").then().statusCode(204);
            events.await(r -> isFor(r, a.id(), UserEvents.UserDeleted.TYPE), WAIT);

            List<String> seen = new ArrayList<>();
            Set<String> eventIds = new LinkedHashSet<>();
            for (JsonNode envelope : envelopesOf(events, a.id())) {
                if (eventIds.add(envelope.get("eventId").asText())) { // a relay may publish an event twice
                    assertEquals(UserEvents.VERSION, envelope.get("version").asInt());
                    JsonNode state = envelope.at("/payload/state");
                    seen.add(envelope.get("type").asText() + "@" + state.get("revision").asLong() + " key "
                            + state.get("currentKeyVersion") + (state.get("deleted").asBoolean() ? " deleted" : "")
                            + " " + state.get("username").asText());
                }
            }
            String name = " " + a.username();
            assertEquals(List.of("UserRegistered@0 key 1" + name, "UserKeyRotated@1 key 2" + name,
                    "UserKeyRevoked@2 key 2" + name, "UserDeleted@3 key null deleted" + name), seen);
            assertEquals(3, users.get(a.id()).await().atMost(WAIT).revision(), "the revision stored with the last change");
        }
    }

    @Test
    void anOlderEventLandingAfterANewerOneIsFollowedByTheCurrentStateAgain() throws Exception {
        try (TopicRecorder events = recorder()) {
            Accounts.Account a = Accounts.create("late");
            a.authed().body(Accounts.identityBody(TestIdentity.generate())).post("/v1/users/me/keys").then()
                    .statusCode(201);
            ConsumerRecord<String, String> registered = events.await(r -> isFor(r, a.id(), UserEvents.UserRegistered.TYPE), WAIT);
            ConsumerRecord<String, String> rotated = events.await(r -> isFor(r, a.id(), UserEvents.UserKeyRotated.TYPE), WAIT);

            // a second relay that read the outbox early publishes both again, late: the newest
            // repeated changes nothing, the registration after it would be what compaction keeps
            publishRaw(a.id(), rotated.value());
            long stale = publishRaw(a.id(), registered.value());

            ConsumerRecord<String, String> restated = events.await(
                    r -> isFor(r, a.id(), UserEvents.UserStateRestated.TYPE) && r.offset() > stale, WAIT);
            JsonNode state = JSON.readTree(restated.value()).at("/payload/state");
            assertEquals(1, state.get("revision").asLong());
            assertEquals(2, state.get("currentKeyVersion").asInt());
            assertEquals(false, state.get("deleted").asBoolean());
            assertEquals(a.username(), state.get("username").asText());
            assertEquals(1, envelopesOf(events, a.id()).stream()
                    .filter(e -> UserEvents.UserStateRestated.TYPE.equals(e.get("type").asText())).count(),
                    "events in order, and a repeat of the newest, are not restated");
        }
    }

    @Test
    void aVersionOneRecordWithoutStateIsFollowedByTheCurrentState() throws Exception {
        try (TopicRecorder events = recorder()) {
            Accounts.Account a = Accounts.create("v1");
            events.await(r -> isFor(r, a.id(), UserEvents.UserRegistered.TYPE), WAIT);
            TestEvents.publish(Topic.USERS, a.id(), UserEvents.UserKeyRevoked.TYPE, 1,
                    Map.of("userId", a.id(), "keyVersion", 1));

            ConsumerRecord<String, String> restated = events.await(
                    r -> isFor(r, a.id(), UserEvents.UserStateRestated.TYPE), WAIT);
            JsonNode state = JSON.readTree(restated.value()).at("/payload/state");
            assertEquals(0, state.get("revision").asLong());
            assertEquals(1, state.get("currentKeyVersion").asInt());
        }
    }

    private static TopicRecorder recorder() {
        return TopicRecorder.open(LocalInfra.shared().kafka().bootstrapServers(), Topic.USERS.name());
    }

    /** The user's records seen so far, in offset order (one user's records share a partition). */
    private static List<JsonNode> envelopesOf(TopicRecorder events, String userId) throws Exception {
        List<JsonNode> list = new ArrayList<>();
        long last = -1;
        while (true) {
            long after = last;
            var next = events.find(r -> userId.equals(r.key()) && r.offset() > after).orElse(null);
            if (next == null) {
                return list;
            }
            list.add(JSON.readTree(next.value()));
            last = next.offset();
        }
    }

    private static boolean isFor(ConsumerRecord<String, String> r, String userId, String type) {
        return userId.equals(r.key()) && r.value().contains("\"type\":\"" + type + "\"");
    }

    private static long publishRaw(String key, String value) throws Exception {
        synchronized (UserEventsTest.class) {
            if (producer == null) {
                producer = new KafkaProducer<>(Map.of("bootstrap.servers", LocalInfra.shared().kafka().bootstrapServers(),
                        "acks", "all"), new StringSerializer(), new StringSerializer());
            }
        }
        return producer.send(new ProducerRecord<>(Topic.USERS.name(), key, value)).get(30, TimeUnit.SECONDS).offset();
    }
}
