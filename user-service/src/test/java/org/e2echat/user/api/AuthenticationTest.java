package org.e2echat.user.api;

import static io.restassured.RestAssured.given;
import static org.e2echat.user.api.Accounts.login;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.e2echat.testsupport.TestIdentity;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AuthenticationTest {

    @Test
    void loginIssuesAnAccessTokenThatOpensProtectedEndpoints() {
        Accounts.Account alice = Accounts.create("login");
        Response tokens = login(alice.username(), alice.password());
        tokens.then().statusCode(200)
                .body("tokenType", equalTo("Bearer"))
                .body("expiresIn", equalTo(900))
                .body("userId", equalTo(alice.id()))
                .body("refreshToken", notNullValue());
        given().header("Authorization", "Bearer " + tokens.path("accessToken")).get("/v1/users/me").then()
                .statusCode(200).body("id", equalTo(alice.id())).body("username", equalTo(alice.username()));
    }

    @Test
    void loginIsCaseInsensitiveOnTheUsername() {
        Accounts.Account bob = Accounts.create("case");
        login(bob.username().toUpperCase(), bob.password()).then().statusCode(200).body("userId", equalTo(bob.id()));
    }

    @Test
    void unknownUserAndWrongPasswordLookTheSameAndTakeSimilarTime() {
        Accounts.Account carol = Accounts.create("timing");
        Response wrong = login(carol.username(), "wrong password entirely");
        Response unknown = login(Accounts.uniqueName("nobody"), "wrong password entirely");
        assertEquals(401, wrong.statusCode());
        assertEquals(401, unknown.statusCode());
        assertEquals(wrong.contentType(), unknown.contentType());
        assertEquals(wrong.jsonPath().getString("type"), unknown.jsonPath().getString("type"));
        assertEquals(wrong.jsonPath().getString("title"), unknown.jsonPath().getString("title"));
        assertEquals(wrong.jsonPath().getString("detail"), unknown.jsonPath().getString("detail"));

        List<Long> wrongTimes = new ArrayList<>();
        List<Long> unknownTimes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            login(carol.username(), "wrong password " + i).then().statusCode(401);
            wrongTimes.add(System.nanoTime() - t0);
            long t1 = System.nanoTime();
            login(Accounts.uniqueName("ghost"), "wrong password " + i).then().statusCode(401);
            unknownTimes.add(System.nanoTime() - t1);
        }
        double ratio = (double) median(unknownTimes) / median(wrongTimes);
        // both pay one Argon2id verification; without the decoy the unknown path would be ~100x faster
        // (the bound is loose because CI machines share two cores)
        assertTrue(ratio > 0.25 && ratio < 4.0, "unknown/wrong median time ratio " + ratio);
    }

    @Test
    void refreshRotatesAndReuseRevokesTheWholeLogin() {
        Accounts.Account dave = Accounts.create("refresh");
        Response first = refresh(dave.refreshToken());
        first.then().statusCode(200);
        String second = first.path("refreshToken");
        assertNotEquals(dave.refreshToken(), second);

        refresh(dave.refreshToken()).then().statusCode(401)
                .body("type", equalTo("urn:e2echat:problem:refresh-token-reused"));
        // the token issued by the legitimate rotation is revoked with its family
        refresh(second).then().statusCode(401).body("type", equalTo("urn:e2echat:problem:invalid-refresh-token"));
    }

    @Test
    void concurrentReuseRevokesTheWholeLoginIncludingTheWinnersNewToken() throws Exception {
        int rounds = 40;
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int round = 0; round < rounds; round++) {
                Accounts.Account user = Accounts.create("race");
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Response>> answers = new ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    answers.add(pool.submit(() -> {
                        start.await();
                        return refresh(user.refreshToken());
                    }));
                }
                start.countDown();
                List<String> issued = new ArrayList<>();
                int reused = 0;
                for (Future<Response> f : answers) {
                    Response r = f.get(30, TimeUnit.SECONDS);
                    if (r.statusCode() == 200) {
                        issued.add(r.path("refreshToken"));
                    } else {
                        assertEquals(401, r.statusCode());
                        if ("urn:e2echat:problem:refresh-token-reused".equals(r.path("type"))) {
                            reused++;
                        }
                    }
                }
                assertTrue(issued.size() <= 1, "round " + round + ": one refresh wins at most");
                assertTrue(reused > 0, "round " + round + ": the reuse is detected");
                for (String token : issued) {
                    assertEquals(401, refresh(token).statusCode(),
                            "round " + round + ": the winner's new token must die with its family");
                }
                assertEquals(401, refresh(user.refreshToken()).statusCode());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void logoutRevokesTheLogin() {
        Accounts.Account erin = Accounts.create("logout");
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", erin.refreshToken()))
                .post("/v1/auth/logout").then().statusCode(204);
        refresh(erin.refreshToken()).then().statusCode(401);
    }

    @Test
    void unknownRefreshTokenIsRefused() {
        refresh("made-up-token").then().statusCode(401).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", 42)).post("/v1/auth/refresh").then()
                .statusCode(400);
    }

    @Test
    void tooManyAttemptsOnOneUsernameFromOneAddressAre429ButTheOwnerElsewhereGetsIn() {
        Accounts.Account frank = Accounts.create("limit");
        Response last = null;
        for (int i = 0; i < 11; i++) {
            last = Accounts.loginFrom("203.0.113.66", frank.username(), "not the password " + i);
        }
        last.then().statusCode(429).contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .body("type", equalTo("urn:e2echat:problem:rate-limited"));
        assertTrue(Integer.parseInt(last.header("Retry-After")) >= 1);
        // the limit also holds for the right password from that address...
        Accounts.loginFrom("203.0.113.66", frank.username(), frank.password()).then().statusCode(429);
        // ...but the stranger has not locked frank out: from his own address he logs in
        Accounts.loginFrom("198.51.100.23", frank.username(), frank.password()).then().statusCode(200);
    }

    @Test
    void forwardedForIsReadFromTheRight() {
        // the client wrote a fresh address on the left of every attempt; the proxy appended the real one
        Accounts.Account gina = Accounts.create("xff");
        Response last = null;
        for (int i = 0; i < 11; i++) {
            last = given().contentType(ContentType.JSON).header("X-Forwarded-For", "192.0.2." + (i + 1) + ", 203.0.113.77")
                    .body(Map.of("username", gina.username(), "password", "wrong " + i)).post("/v1/auth/login");
        }
        last.then().statusCode(429);
    }

    @Test
    void registrationsFromOneAddressAreLimited() {
        Response last = null;
        for (int i = 0; i < 11; i++) {
            last = given().contentType(ContentType.JSON).header("X-Forwarded-For", "203.0.113.88")
                    .body(Accounts.registration(Accounts.uniqueName("flood"), "Flood", Accounts.PASSWORD,
                            TestIdentity.generate()))
                    .post("/v1/users");
            if (i < 10) {
                last.then().statusCode(201);
            }
        }
        last.then().statusCode(429).contentType("application/problem+json").header("Retry-After", notNullValue())
                .body("type", equalTo("urn:e2echat:problem:rate-limited"));
    }

    @Test
    void concurrentPasswordWorkBeyondThePoolIs503BusyNeverAnError() throws Exception {
        Accounts.Account hal = Accounts.create("busy");
        ExecutorService clients = Executors.newFixedThreadPool(24);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String address = "198.19.0." + (i + 1);
                answers.add(clients.submit(() -> Accounts.loginFrom(address, hal.username(), hal.password())));
            }
            int ok = 0;
            int busy = 0;
            for (var answer : answers) {
                Response r = answer.get();
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    r.then().statusCode(503).header("Retry-After", "1")
                            .body("type", equalTo("urn:e2echat:problem:busy"));
                    busy++;
                }
            }
            assertTrue(ok >= 1, "some logins go through");
            assertTrue(busy >= 1, "the pool of 2 with a queue of 2 refuses the rest at once");
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void tooManyAttemptsFromOneAddressAre429() {
        Response last = null;
        for (int i = 0; i < 200; i++) { // the bucket refills while it runs
            last = given().contentType(ContentType.JSON).header("X-Forwarded-For", "198.51.100.7")
                    .body(Map.of("username", Accounts.uniqueName("spray"), "password", "guess " + i))
                    .post("/v1/auth/login");
            if (last.statusCode() == 429) {
                break;
            }
        }
        last.then().statusCode(429).header("Retry-After", notNullValue());
    }

    private static Response refresh(String token) {
        return given().contentType(ContentType.JSON).body(Map.of("refreshToken", token)).post("/v1/auth/refresh");
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
