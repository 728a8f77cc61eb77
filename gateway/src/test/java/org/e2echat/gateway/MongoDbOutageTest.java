package org.e2echat.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.e2echat.testsupport.InfraTestResource;
import org.junit.jupiter.api.Test;

/** With MongoDB unreachable, the gateway still starts and is ready: it stores nothing. */
@QuarkusTest
@TestProfile(MongoDbOutageTest.MongoDbUnreachable.class)
class MongoDbOutageTest {

    /** The shared Kafka broker, and a MongoDB connection string where nothing listens. */
    public static final class MongoDbUnreachable implements QuarkusTestProfile {

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(NoMongoDb.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true; // the global InfraTestResource would point MongoDB at the live server again
        }
    }

    /** InfraTestResource with its MongoDB address replaced by a closed port (fail fast if anything connects). */
    public static final class NoMongoDb extends InfraTestResource {

        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            config.put("quarkus.mongodb.connection-string", "mongodb://127.0.0.1:" + closedPort());
            config.put("quarkus.mongodb.server-selection-timeout", "1s");
            return config;
        }

        private static int closedPort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void isReadyWhileMongoDbIsDown() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", not(hasItem(InfrastructureTest.MONGODB_CHECK)));
    }
}
