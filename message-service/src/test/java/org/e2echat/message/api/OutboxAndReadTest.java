package org.e2echat.message.api;

import static org.e2echat.testsupport.Chat.message;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.bson.Document;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.infra.LocalInfra;
import org.e2echat.testsupport.TestEvents;
import org.e2echat.testsupport.Chat;
import org.e2echat.testsupport.TestUser;
import org.e2echat.testsupport.TopicRecorder;
import org.junit.jupiter.api.BeforeEach;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OutboxAndReadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    Chat chat;

    @Inject
    ReactiveMongoClient mongo;

    @ConfigProperty(name = "quarkus.mongodb.database")
    String database;

    @BeforeEach
    void setUp() {
        chat = Chat.fromConfig();
    }

    @Test
    void storedMessagesArePublishedWithTheirRecipients() throws Exception {
        List<TestUser> u = chat.users(3);
        String id = chat.group(u);
        try (TopicRecorder events = TopicRecorder.open(LocalInfra.shared().kafka().bootstrapServers(),
                Topic.MESSAGES.name())) {
            String messageId = chat.send(u.get(0), id, message(1)).then().statusCode(201).extract().path("messageId");
            var record = events.await(r -> r.value().contains(messageId), Duration.ofSeconds(20));
            assertEquals(id, record.key());
            JsonNode envelope = JSON.readTree(record.value());
            assertEquals("MessageStored", envelope.get("type").asText());
            assertEquals(messageId, envelope.get("eventId").asText());
            Set<String> recipients = new TreeSet<>();
            envelope.get("payload").get("recipients").forEach(n -> recipients.add(n.asText()));
            assertEquals(new TreeSet<>(u.stream().map(TestUser::id).toList()), recipients);
            assertEquals(1, envelope.get("payload").get("seq").asInt());
        }
    }

    /**
     * An outbox entry whose message never got stored (a crash between the two writes) is dropped
     * once it is a minute old, and only then: a younger one may belong to an insert in flight. The
     * messages beside them are published as usual.
     */
    @Test
    void entriesWithoutTheirMessageAreDroppedOnceOldAndPublishingGoesOn() throws Exception {
        var outbox = mongo.getDatabase(database).getCollection("message_outbox");
        String old = UUID.randomUUID().toString();
        String young = UUID.randomUUID().toString();
        Instant now = Instant.now();
        for (var e : List.of(List.of(old, now.minusSeconds(120)), List.of(young, now))) {
            Instant at = (Instant) e.get(1);
            outbox.insertOne(new Document("_id", e.get(0)).append("sessionId", "orphaned-" + e.get(0)).append("seq", 1L)
                    .append("serverTime", Date.from(at)).append("createdAt", Date.from(at)))
                    .await().indefinitely();
        }
        List<TestUser> u = chat.users(2);
        String id = chat.group(u);
        try (TopicRecorder events = TopicRecorder.open(LocalInfra.shared().kafka().bootstrapServers(),
                Topic.MESSAGES.name())) {
            String messageId = chat.send(u.get(0), id, message(1)).then().statusCode(201).extract().path("messageId");
            events.await(r -> r.value().contains(messageId), Duration.ofSeconds(20));
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> outbox.countDocuments(new Document("_id", old))
                .await().indefinitely() == 0);
        assertEquals(1L, outbox.countDocuments(new Document("_id", young)).await().indefinitely(),
                "an entry younger than a minute stays");
        outbox.deleteOne(new Document("_id", young)).await().indefinitely();
    }

    @Test
    void whileTheBrokerIsDownSendsAreAcceptedTheServiceStaysReadyAndTheBacklogDrainsWhenItIsBack() throws Exception {
        List<TestUser> u = chat.users(2);
        String id = chat.group(u);
        List<String> stored = new ArrayList<>();
        LocalInfra.shared().kafka().outage(() -> {
            for (int i = 0; i < 3; i++) {
                stored.add(chat.send(u.get(0), id, message(1)).then().statusCode(201).extract().path("messageId"));
            }
            // stored and readable even though it cannot be published yet
            chat.read(u.get(1), id, "").then().body("messages.messageId", contains(stored.toArray()));
            // the outbox absorbs the outage: still ready, and the backlog holds what was sent
            RestAssured.get("/q/health/ready").then().statusCode(200);
            assertTrue(unpublished(id) >= 3, "the outbox holds the messages sent during the outage");
        });
        try (TopicRecorder events = TopicRecorder.fromBeginning(LocalInfra.shared().kafka().bootstrapServers(),
                Topic.MESSAGES.name())) {
            for (String messageId : stored) {
                var record = events.await(r -> r.value().contains(messageId), Duration.ofSeconds(60));
                assertEquals(id, record.key());
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> unpublished(id) == 0);
    }

    private long unpublished(String sessionId) {
        return mongo.getDatabase(database).getCollection("message_outbox")
                .countDocuments(new Document("sessionId", sessionId))
                .await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void pagesGoForwardForCatchUpAndBackwardForScrollback() {
        List<TestUser> u = chat.users(2);
        String id = chat.group(u);
        for (int i = 0; i < 7; i++) {
            chat.send(u.get(i % 2), id, message(1)).then().statusCode(201);
        }
        TestUser reader = u.get(1);
        chat.read(reader, id, "after=0&limit=3").then().body("messages.seq", contains(1, 2, 3))
                .body("hasMore", equalTo(true)).body("nextCursor", equalTo(3));
        chat.read(reader, id, "after=3&limit=3").then().body("messages.seq", contains(4, 5, 6)).body("nextCursor", equalTo(6));
        chat.read(reader, id, "after=6&limit=3").then().body("messages.seq", contains(7))
                .body("hasMore", equalTo(false)).body("nextCursor", nullValue());
        chat.read(reader, id, "before=8&limit=3").then().body("messages.seq", contains(7, 6, 5))
                .body("hasMore", equalTo(true)).body("nextCursor", equalTo(5));
        chat.read(reader, id, "before=2").then().body("messages.seq", contains(1)).body("hasMore", equalTo(false));
        chat.read(reader, id, "after=1&before=5").then().statusCode(400);
        chat.read(reader, id, "limit=0").then().statusCode(400);
        chat.read(reader, id, "limit=201").then().statusCode(400);
        chat.read(reader, id, "after=-1").then().statusCode(400);
        for (String query : new String[] {"after=abc", "after=99999999999999999999", "before=1.5", "limit=ten"}) {
            chat.read(reader, id, query).then().statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo("urn:e2echat:problem:invalid-paging"));
        }
        chat.read(reader, id, "limit=200").then().body("messages.size()", equalTo(7));
        chat.read(chat.users(1).get(0), id, "").then().statusCode(404);
    }

    @Test
    void membersReadFromTheirJoinEpochAndRemovedMembersOnlyUpToTheirLeaving() {
        List<TestUser> u = chat.users(4);
        String id = chat.group(u.subList(0, 3));
        chat.send(u.get(0), id, message(1)).then().statusCode(201);
        chat.send(u.get(1), id, message(1)).then().statusCode(201);
        // session-service has seen both messages before the removal, so leftSeq = 2
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                chat.sessionView(u.get(0), id).then().body("lastMessageSeq", equalTo(2)));
        chat.remove(u.get(0), id, u.get(2)).then().statusCode(204);
        TestUser late = u.get(3);
        chat.rotate(u.get(0), id, 2, List.of(u.get(0), u.get(1), late), List.of(late)).then().statusCode(200);
        chat.send(u.get(1), id, message(2)).then().statusCode(201).body("seq", equalTo(3));

        chat.read(u.get(2), id, "").then().statusCode(200).body("messages.seq", contains(1, 2));
        chat.read(late, id, "").then().statusCode(200).body("messages.seq", contains(3));
        chat.read(u.get(0), id, "").then().body("messages.seq", contains(1, 2, 3));
    }

    @Test
    void aDeletedSendersMessagesKeepTheNameTheyWereSentUnder() {
        List<TestUser> u = chat.users(2);
        String id = chat.group(u);
        TestUser bob = u.get(1);
        chat.send(bob, id, message(1)).then().statusCode(201);
        TestEvents.publish(Topic.USERS, bob.id(), UserEvents.UserDeleted.TYPE, UserEvents.VERSION,
                new UserEvents.UserDeleted(bob.id(), bob.username(), "Person " + bob.username(), Instant.now()));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                chat.sessionView(u.get(0), id).then().body("rekeyRequired", equalTo(true)));
        chat.read(u.get(0), id, "").then()
                .body("messages[0].senderId", equalTo(bob.id()))
                .body("messages[0].senderUsername", equalTo(bob.username()))
                .body("messages[0].senderDisplayName", equalTo("Person " + bob.username()));
        // his access token is still signed and unexpired, but this service no longer honours it
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> chat.read(bob, id, "").then().statusCode(401)
                .contentType("application/problem+json").body("type", equalTo("urn:e2echat:problem:unauthenticated")));
        chat.send(bob, id, message(2)).then().statusCode(401);
    }
}
