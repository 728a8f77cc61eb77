package org.e2echat.message.api;

import static org.e2echat.testsupport.Chat.message;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.e2echat.testsupport.Chat;
import org.e2echat.testsupport.TestUser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class IdempotencyAndSequenceTest {

    Chat chat;

    @BeforeEach
    void setUp() {
        chat = Chat.fromConfig();
    }

    @Test
    void aRetryReturnsTheOriginalAndADifferentBodyUnderTheSameIdIsRefused() {
        List<TestUser> u = chat.users(2);
        String id = chat.group(u);
        Map<String, Object> body = message(1);
        Response first = chat.send(u.get(0), id, body);
        first.then().statusCode(201);
        chat.send(u.get(0), id, body).then().statusCode(200)
                .body("messageId", equalTo(first.path("messageId")))
                .body("seq", equalTo(first.<Integer>path("seq")));
        Map<String, Object> changed = new HashMap<>(body);
        changed.put("ciphertext", TestUser.randomBase64(64));
        chat.send(u.get(0), id, changed).then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:client-message-id-reused"))
                .body("messageId", equalTo(first.path("messageId")));
        // the same client id from another sender is a different message
        chat.send(u.get(1), id, body).then().statusCode(409).body("type", equalTo("urn:e2echat:problem:nonce-reused"));
        chat.read(u.get(0), id, "").then().body("messages.size()", equalTo(1));
    }

    @Test
    void sendsPerUserAreLimitedOverRestAsOnTheSocket() {
        List<TestUser> u = chat.users(2);
        String id = chat.group(u);
        Response last = null;
        int stored = 0;
        for (int i = 0; i < 60 && (last == null || last.statusCode() != 429); i++) {
            last = chat.send(u.get(0), id, message(1));
            if (last.statusCode() == 201) {
                stored++;
            }
        }
        last.then().statusCode(429).contentType("application/problem+json").header("Retry-After", notNullValue())
                .body("type", equalTo("urn:e2echat:problem:rate-limited"));
        assertTrue(stored >= 40, "the burst of 40 goes through (then one per 1.5 s): " + stored);
        // another sender has a budget of their own; what was refused was not stored
        chat.send(u.get(1), id, message(1)).then().statusCode(201);
        chat.read(u.get(1), id, "limit=200").then().body("messages.size()", equalTo(stored + 1));
    }

    @Test
    void concurrentRetriesStoreTheMessageOnce() throws Exception {
        List<TestUser> u = chat.users(2);
        String id = chat.group(u);
        Map<String, Object> body = message(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Response>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            results.add(pool.submit(() -> {
                go.await();
                return chat.send(u.get(0), id, body);
            }));
        }
        go.countDown();
        Set<String> ids = new HashSet<>();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Response> r : results) {
            Response response = r.get(60, TimeUnit.SECONDS);
            statuses.add(response.statusCode());
            ids.add(response.path("messageId"));
        }
        pool.shutdown();
        assertEquals(1, Collections.frequency(statuses, 201), statuses.toString());
        assertEquals(7, Collections.frequency(statuses, 200), statuses.toString());
        assertEquals(1, ids.size());
        chat.read(u.get(0), id, "").then().body("messages.size()", equalTo(1)).body("messages[0].seq", equalTo(1));
    }

    @Test
    void concurrentSendersGetDenseSeqsAndReadersNeverSeeAHoleOrALateArrival() throws Exception {
        int senders = 4;
        int perSender = 15;
        int total = senders * perSender;
        List<TestUser> u = chat.users(senders);
        String id = chat.group(u);
        ExecutorService pool = Executors.newFixedThreadPool(senders + 2);
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean sending = new AtomicBoolean(true);
        List<Future<?>> work = new ArrayList<>();
        for (TestUser sender : u) {
            work.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perSender; i++) {
                    chat.send(sender, id, message(1)).then().statusCode(201);
                }
                return null;
            }));
        }
        List<Future<List<Long>>> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(pool.submit(() -> {
                go.await();
                List<Long> seen = new ArrayList<>();
                long last = 0;
                while (sending.get() || last < total) {
                    Response page = chat.read(u.get(0), id, "after=" + last + "&limit=7");
                    page.then().statusCode(200);
                    for (Object seq : page.jsonPath().getList("messages.seq")) {
                        long s = ((Number) seq).longValue();
                        // after=last must continue exactly at last + 1: a skipped or late seq breaks this
                        assertEquals(last + 1, s, "hole or late arrival after " + last);
                        last = s;
                        seen.add(s);
                    }
                }
                return seen;
            }));
        }
        go.countDown();
        for (Future<?> f : work) {
            f.get(120, TimeUnit.SECONDS);
        }
        sending.set(false);
        for (Future<List<Long>> reader : readers) {
            List<Long> seen = reader.get(60, TimeUnit.SECONDS);
            assertEquals(total, seen.size());
        }
        pool.shutdown();
        List<Object> all = chat.read(u.get(0), id, "limit=200").jsonPath().getList("messages.seq");
        assertEquals(total, all.size());
        for (int i = 0; i < total; i++) {
            assertEquals(i + 1, ((Number) all.get(i)).intValue());
        }
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
}
