package org.e2echat.user.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** What is at rest: Argon2id hashes with their parameters, never a password or a raw refresh token. */
@QuarkusTest
class StorageTest {

    @Inject
    ReactiveMongoClient mongo;

    @ConfigProperty(name = "quarkus.mongodb.database")
    String database;

    @Test
    void storedHashCarriesArgon2idParametersAndNoSecretIsStoredInTheClear() {
        Accounts.Account a = Accounts.create("store");
        Document user = mongo.getDatabase(database).getCollection("users").find(new Document("_id", a.id()))
                .collect().first().await().atMost(Duration.ofSeconds(10));
        assertNotNull(user);
        String hash = user.getString("passwordHash");
        assertTrue(hash.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), hash);
        assertFalse(user.toJson().contains(a.password()), "password stored in the clear");

        List<Document> tokens = mongo.getDatabase(database).getCollection("refresh_tokens")
                .find(new Document("userId", a.id())).collect().asList().await().atMost(Duration.ofSeconds(10));
        assertFalse(tokens.isEmpty());
        for (Document t : tokens) {
            assertFalse(t.toJson().contains(a.refreshToken()), "refresh token stored in the clear");
            assertTrue(t.getString("_id").matches("[0-9a-f]{64}"));
        }
    }
}
