package org.e2echat.message.persistence;

import static org.e2echat.testsupport.Chat.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;
import org.bson.BsonDocument;
import org.bson.Document;
import org.e2echat.testsupport.Chat;
import org.e2echat.testsupport.TestUser;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The send and publish path touches stored messages only by {@code _id} or by a whole unique
 * index with plain values: what both MongoDB and the embedded server (which ignores non-unique
 * and partial indexes) answer without reading the collection, so a send costs the same with a
 * thousand or a million messages stored.
 */
@QuarkusTest
class HotPathQueriesTest {

    private static final List<Set<String>> INDEXED = List.of(Set.of("_id"), Set.of("sessionId", "seq"),
            Set.of("sessionId", "senderId", "clientMessageId"), Set.of("sessionId", "epoch", "nonce"));

    @Inject
    RecordedQueries queries;

    @Inject
    ReactiveMongoClient mongo;

    @ConfigProperty(name = "quarkus.mongodb.database")
    String database;

    @Test
    void sendingAndPublishingNeverScanTheMessages() {
        Chat chat = Chat.fromConfig();
        List<TestUser> u = chat.users(2);
        String session = chat.group(u);
        queries.clear();
        for (int i = 1; i <= 3; i++) {
            assertEquals(i, (int) chat.send(u.get(i % 2), session, message(1)).then().statusCode(201)
                    .extract().path("seq"));
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> pending(session) == 0);

        assertFalse(queries.filters().isEmpty(), "the messages were read by the relay");
        for (BsonDocument filter : queries.filters()) {
            assertTrue(INDEXED.contains(filter.keySet()) && filter.values().stream().noneMatch(v -> v.isDocument())
                    || isIdIn(filter), "not a lookup by _id or a unique index: " + filter.toJson());
        }
        assertTrue(queries.filters().stream().anyMatch(HotPathQueriesTest::isIdIn)
                && queries.filters().stream().noneMatch(f -> f.keySet().equals(Set.of("_id")) && !f.get("_id").isDocument()),
                "the relay reads a batch's messages in one _id $in query, not one query per message: " + queries.filters());
    }

    /**
     * {@code {_id: {$in: [...]}}}: answered from the {@code _id} index by MongoDB and by the
     * embedded server (its unique indexes serve {@code $in} on a single key).
     */
    private static boolean isIdIn(BsonDocument filter) {
        return filter.keySet().equals(Set.of("_id")) && filter.get("_id").isDocument()
                && filter.getDocument("_id").keySet().equals(Set.of("$in"));
    }

    private long pending(String session) {
        return mongo.getDatabase(database).getCollection(MessageMongoRepository.OUTBOX)
                .countDocuments(new Document("sessionId", session)).await().indefinitely();
    }
}
