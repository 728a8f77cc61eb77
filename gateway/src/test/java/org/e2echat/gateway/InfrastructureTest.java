package org.e2echat.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.e2echat.testsupport.InfraTestResource;
import org.junit.jupiter.api.Test;

/**
 * gateway runs on the real Kafka broker and needs no database: its readiness is its fan-out
 * consumer (which reports a broker it cannot consume from), never MongoDB (which service-common's extensions would
 * otherwise add), so a MongoDB blip does not take live sockets out of rotation. It does not extend
 * test-support's InfrastructureContractTest, whose MongoDB round trip and health check are for the
 * services that store data.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class InfrastructureTest {

    static final String MONGODB_CHECK = "MongoDB connection health check";

    @Test
    void readinessIsTheFanOutConsumerAndNotMongoDb() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Gateway fan-out consumer"))
                .body("checks.name", not(hasItem(MONGODB_CHECK)))
                .body("checks.name", not(hasItem("Kafka connection health check")));
    }
}
