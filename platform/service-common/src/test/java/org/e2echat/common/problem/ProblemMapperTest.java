package org.e2echat.common.problem;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ProblemMapperTest {

    @Test
    void domainProblemKeepsStatusTypeAndExtensions() {
        given().get("/problem-probe/conflict").then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:stale-epoch"))
                .body("title", equalTo("Stale epoch"))
                .body("status", equalTo(409))
                .body("detail", equalTo("Epoch 3 is not current."))
                .body("instance", equalTo("/problem-probe/conflict"))
                .body("currentEpoch", equalTo(4));
    }

    @Test
    void aStoreThatCannotBeReachedIsA503WithRetryAfterNotA500() {
        for (String probe : new String[] {"/problem-probe/store-down", "/problem-probe/store-down-wrapped"}) {
            given().get(probe).then()
                    .statusCode(503)
                    .header("Retry-After", "2")
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:e2echat:problem:dependency-unavailable"));
        }
    }

    @Test
    void rateLimitCarriesRetryAfter() {
        given().get("/problem-probe/limited").then()
                .statusCode(429)
                .header("Retry-After", "7")
                .body("type", equalTo("urn:e2echat:problem:rate-limited"));
    }

    @Test
    void malformedJsonIsA400ProblemNotA500() {
        given().contentType(ContentType.JSON).body("{\"name\": \"x\", ").post("/problem-probe/body").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:malformed-request"));
    }

    @Test
    void wrongFieldTypeNamesTheFieldWithoutEchoingTheValue() {
        given().contentType(ContentType.JSON).body("{\"name\": \"x\", \"count\": \"many-secret\"}")
                .post("/problem-probe/body").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("count"))
                .body("detail", not(containsString("many-secret")));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "{\"name\": 5, \"count\": 1}",
        "{\"name\": \"x\", \"count\": \"7\"}",
        "{\"name\": {\"$ne\": null}, \"count\": 1}",
        "{\"name\": \"x\", \"count\": 1, \"$where\": \"1\"}",
        "{\"name\": \"x\", \"count\": 1, \"a.b\": 1}",
        "{\"name\": \"x\", \"count\": 1} {}",
        "[1, 2]"})
    void bodiesOfTheWrongShapeAre400Problems(String body) {
        given().contentType(ContentType.JSON).body(body).post("/problem-probe/body").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:malformed-request"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "{\"name\": \"x\", \"count\": 1, \"name\": \"y\"}",
        "{\"name\": \"x\", \"name\": \"y\"}",
        "{\"name\": \"x\", \"version\": 1, \"at\": \"2030-01-01T00:00:00Z\", \"at\": \"2031-01-01T00:00:00Z\"}",
        "{\"version\": 1, \"version\": 2}"})
    void duplicateKeysAre400ProblemsWhetherOrNotEveryFieldIsThere(String body) {
        String path = body.contains("count") || !body.contains("version") ? "/problem-probe/body" : "/problem-probe/stamped";
        given().contentType(ContentType.JSON).body(body).post(path).then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:malformed-request"))
                .body("detail", containsString("more than once"));
    }

    @Test
    void aDefinitionErrorCausedByAParseFailureIsA400ProblemAndAnyOtherA500Problem() {
        given().get("/problem-probe/definition-over-parse").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:malformed-request"));
        given().get("/problem-probe/definition-bug").then()
                .statusCode(500)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:internal-error"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "{\"name\": \"x\", \"count\": 1.5}",
        "{\"name\": \"x\", \"count\": 1.0}",
        "{\"name\": \"x\", \"count\": 1e3}"})
    void fractionsAreNotIntegers(String body) {
        given().contentType(ContentType.JSON).body(body).post("/problem-probe/body").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:malformed-request"))
                .body("detail", containsString("count"));
    }

    @Test
    void fractionsAreNotBoxedIntegersEither() {
        given().contentType(ContentType.JSON).body("{\"name\": \"x\", \"version\": 1.5}")
                .post("/problem-probe/stamped").then()
                .statusCode(400)
                .body("type", equalTo("urn:e2echat:problem:malformed-request"))
                .body("detail", containsString("version"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "+1000000000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z"})
    void timestampsOutsideTheSupportedRangeAre400Problems(String at) {
        given().contentType(ContentType.JSON).body("{\"name\": \"x\", \"version\": 1, \"at\": \"" + at + "\"}")
                .post("/problem-probe/stamped").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:malformed-request"))
                .body("detail", containsString("at"))
                .body("detail", not(containsString(at)));
    }

    @Test
    void numericTimestampsOutsideTheRangeAre400ProblemsToo() {
        given().contentType(ContentType.JSON).body("{\"name\": \"x\", \"at\": 1e20}")
                .post("/problem-probe/stamped").then()
                .statusCode(400)
                .body("type", equalTo("urn:e2echat:problem:malformed-request"));
    }

    @Test
    void timestampsAtTheEdgesOfTheRangeAreAccepted() {
        for (String at : new String[] {"1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2030-06-01T12:00:00.123Z"}) {
            given().contentType(ContentType.JSON).body("{\"name\": \"x\", \"version\": 2, \"at\": \"" + at + "\"}")
                    .post("/problem-probe/stamped").then()
                    .statusCode(200)
                    .body(equalTo("x 2 " + java.time.Instant.parse(at)));
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"abc", "99999999999999999999", "1.5", " 7"})
    void unparsableNumericQueryParameterIsA400Problem(String after) {
        given().queryParam("after", after).get("/problem-probe/page").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:invalid-paging"))
                .body("detail", containsString("after"));
    }

    @Test
    void numericQueryParameterIsParsed() {
        given().queryParam("after", "42").get("/problem-probe/page").then().statusCode(200).body(equalTo("after 42"));
        given().get("/problem-probe/page").then().statusCode(200).body(equalTo("after null"));
    }

    @Test
    void wrongMediaTypeIsA415Problem() {
        given().contentType(ContentType.TEXT).body("hello").post("/problem-probe/body").then()
                .statusCode(415)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:unsupported-media-type"));
    }

    @Test
    void unparsablePathParameterIsNotA500() {
        given().get("/problem-probe/items/not-a-number").then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404));
    }

    @Test
    void wrongMethodIsA405Problem() {
        given().delete("/problem-probe/conflict").then()
                .statusCode(405)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:method-not-allowed"));
    }

    @Test
    void unexpectedFailureIsAGeneric500WithoutInternals() {
        given().get("/problem-probe/crash").then()
                .statusCode(500)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:internal-error"))
                .body("detail", not(containsString("secret")));
    }

    @Test
    void oversizedBodyIsA413Problem() {
        String big = "{\"name\": \"" + "x".repeat(300 * 1024) + "\", \"count\": 1}";
        given().contentType(ContentType.JSON).body(big).post("/problem-probe/body").then()
                .statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:payload-too-large"));
    }

    @Test
    void openApiDocumentIsServed() {
        given().get("/q/openapi").then().statusCode(200).body(containsString("/problem-probe/conflict"));
    }

    @Test
    void prometheusMetricsAreServed() {
        given().get("/q/metrics").then().statusCode(200).body(startsWith("#"));
    }
}
