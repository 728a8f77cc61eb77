package org.e2echat.gateway.api;

import static io.restassured.RestAssured.given;
import static org.e2echat.testsupport.Chat.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.MessageEvents;
import org.e2echat.contracts.identity.IdentityEncoding;
import org.e2echat.gateway.config.GatewayConfig;
import org.e2echat.gateway.domain.ConnectionRegistry;
import org.e2echat.testsupport.Chat;
import org.e2echat.testsupport.TestEvents;
import org.e2echat.testsupport.TestUser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Live delivery through the real chain: message-service → chat.messages → gateway → sockets. */
@QuarkusTest
class DeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/ws")
    URI http;

    @Inject
    ConnectionRegistry registry;

    @Inject
    GatewayConfig config;

    URI ws;
    Chat chat;

    @BeforeEach
    void setUp() {
        ws = URI.create(http.toString().replaceFirst("^http", "ws"));
        chat = Chat.fromConfig();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    WsClient connect(TestUser u) throws InterruptedException {
        WsClient c = WsClient.withHeader(ws, u.token());
        c.next("hello", Duration.ofSeconds(10));
        return c;
    }

    @Test
    void aSocketSendIsAckedAndDeliveredToEveryMemberConnectionAndNobodyElse() throws Exception {
        List<TestUser> u = chat.users(3);
        TestUser alice = u.get(0);
        TestUser bob = u.get(1);
        TestUser carol = u.get(2);
        String id = chat.group(List.of(alice, bob));
        // as a browser connects: the token in the subprotocol carrier, which a send must forward all the same
        WsClient alice1 = WsClient.withCarrier(ws, alice.token());
        alice1.next("hello", Duration.ofSeconds(10));
        WsClient alice2 = connect(alice);
        WsClient bob1 = connect(bob);
        WsClient carol1 = connect(carol);

        Map<String, Object> body = message(1);
        ObjectNode send = JSON.valueToTree(body);
        send.put("type", "send");
        send.put("sessionId", id);
        alice1.send(send.toString());
        JsonNode ack = alice1.next("ack", WAIT);
        assertEquals(body.get("clientMessageId"), ack.path("clientMessageId").asText());
        assertEquals(1, ack.path("seq").asInt());
        for (WsClient c : List.of(alice1, alice2, bob1)) {
            JsonNode m = c.next("message", WAIT).path("message");
            assertEquals(ack.path("messageId").asText(), m.path("messageId").asText());
            assertEquals(body.get("ciphertext"), m.path("ciphertext").asText());
            assertTrue(m.path("recipients").isMissingNode(), "recipient lists are not sent to clients");
        }
        // carol's first message frame is one addressed to her, not alice and bob's
        String other = chat.group(List.of(carol, alice));
        String mine = chat.send(carol, other, message(1)).then().statusCode(201).extract().path("messageId");
        assertEquals(mine, carol1.next("message", WAIT).path("message").path("messageId").asText());
        List.of(alice1, alice2, bob1, carol1).forEach(WsClient::close);
    }

    @Test
    void aSocketSendThatIsRefusedGetsTheRestProblemAsAnErrorFrame() throws Exception {
        List<TestUser> u = chat.users(2);
        String id = chat.group(u);
        WsClient c = connect(u.get(0));
        ObjectNode send = JSON.valueToTree(message(2));
        send.put("type", "send");
        send.put("sessionId", id);
        c.send(send.toString());
        JsonNode error = c.next("error", WAIT);
        assertEquals(send.path("clientMessageId").asText(), error.path("clientMessageId").asText());
        assertEquals("urn:e2echat:problem:stale-epoch", error.path("problem").path("type").asText());
        assertEquals(409, error.path("problem").path("status").asInt());
        assertEquals(1, error.path("problem").path("currentEpoch").asInt());
        c.close();
    }

    @Test
    void removalCutsDeliveryAndRekeyRequiredReachesTheRemainingMembers() throws Exception {
        List<TestUser> u = chat.users(3);
        TestUser alice = u.get(0);
        TestUser bob = u.get(1);
        TestUser carol = u.get(2);
        String id = chat.group(u);
        WsClient a = connect(alice);
        WsClient b = connect(bob);
        WsClient c = connect(carol);
        chat.remove(alice, id, carol).then().statusCode(204);

        JsonNode removed = c.next("session", WAIT);
        assertEquals("MemberRemoved", removed.path("event").asText());
        assertEquals(carol.id(), removed.path("payload").path("userId").asText());
        for (WsClient member : List.of(a, b)) {
            assertEquals("MemberRemoved", member.next("session", WAIT).path("event").asText());
            JsonNode rekey = member.next("session", WAIT);
            assertEquals("RekeyRequired", rekey.path("event").asText());
            assertEquals("MEMBER_REMOVED", rekey.path("payload").path("reason").asText());
        }
        chat.rotate(alice, id, 2, List.of(alice, bob), List.of()).then().statusCode(200);
        String sent = chat.send(bob, id, message(2)).then().statusCode(201).extract().path("messageId");
        assertEquals(sent, a.next("message", WAIT).path("message").path("messageId").asText());
        assertEquals(sent, b.next("message", WAIT).path("message").path("messageId").asText());
        // carol heard of her removal and of nothing after it
        Thread.sleep(500);
        for (JsonNode frame : c.frames) {
            assertTrue(!frame.path("type").asText().equals("message")
                    && !frame.path("event").asText().equals("RekeyRequired")
                    && !frame.path("event").asText().equals("SessionKeyRotated"), frame.toString());
        }
        List.of(a, b, c).forEach(WsClient::close);
    }

    @Test
    void aSlowClientIsCutOffWithoutSlowingTheOthers() throws Exception {
        TestUser slow = TestEvents.registerUser("slow");
        TestUser fast = TestEvents.registerUser("fast");
        WsClient s = connect(slow);
        WsClient f = connect(fast);
        s.stopReading();
        String big = TestUser.randomBase64(48_000);
        List<Long> fastLatencyMs = new ArrayList<>();
        for (int i = 0; i < 400 && registry.connections(slow.id()) > 0; i++) {
            publishMessage(List.of(slow.id()), big);
            if (i % 40 == 0) {
                long t0 = System.nanoTime();
                String marker = publishMessage(List.of(fast.id()), "AAAAAAAAAAAAAAAAAAAAAA==");
                JsonNode got = f.next("message", WAIT);
                assertEquals(marker, got.path("message").path("messageId").asText());
                fastLatencyMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
        }
        Awaitility.await().atMost(WAIT).until(() -> registry.connections(slow.id()) == 0);
        s.resumeReading();
        assertEquals(1013, s.closeCode(Duration.ofSeconds(60)));
        assertEquals(1, registry.connections(fast.id()));
        assertTrue(fastLatencyMs.stream().allMatch(ms -> ms < 5_000), "fast client latencies " + fastLatencyMs);
        f.close();
    }

    @Test
    void aClientThatStopsReadingIsClosedWith1013AndItsConnectionIsResetWithinTheCloseTimeout() throws Exception {
        TestUser stuck = TestEvents.registerUser("stuck");
        double dropped = Metrics.value("e2echat_gateway_fanout_dropped_total", "");
        double closed1013 = Metrics.value("e2echat_gateway_closes_total", "code=\"1013\"");
        double resets = Metrics.value("e2echat_gateway_close_resets_total", "");
        try (RawWsClient raw = RawWsClient.upgrade(ws, stuck.token())) {
            assertEquals("hello", raw.readFrame().path("type").asText());
            // from here on the client reads nothing: the frames, then the close frame, back up
            String big = TestUser.randomBase64(48_000);
            for (int i = 0; i < 400 && registry.connections(stuck.id()) > 0; i++) {
                publishMessage(List.of(stuck.id()), big);
            }
            Awaitility.await().atMost(WAIT).until(() -> registry.connections(stuck.id()) == 0);
            // the close (1013) began; its frame is queued behind megabytes the client does not read, so the
            // handshake cannot finish, and within the close timeout the server must give the connection up
            Duration bound = config.closeTimeout().plusSeconds(5);
            if (RawWsClient.kernelTablesReadable()) {
                // gone: neither ESTABLISHED nor lingering in FIN_WAIT with the unsent megabytes queued
                Awaitility.await().atMost(bound).pollInterval(Duration.ofMillis(100))
                        .until(raw::serverEndInKernel, List::isEmpty);
            } else {
                Awaitility.await().atMost(bound).pollInterval(Duration.ofMillis(100))
                        .until(() -> Metrics.value("e2echat_gateway_close_resets_total", "") > resets);
            }
            // reading only now, the client finds its connection reset, not megabytes still coming
            String end = raw.readOnUntilEnd(1 << 20);
            assertTrue(end.startsWith("reset after "), "the buffered frames were dropped: " + end);
        }
        assertTrue(Metrics.value("e2echat_gateway_close_resets_total", "") > resets);
        assertTrue(Metrics.value("e2echat_gateway_fanout_dropped_total", "") > dropped);
        assertTrue(Metrics.value("e2echat_gateway_closes_total", "code=\"1013\"") > closed1013);
    }

    @Test
    void aClientIsClosedWith1013OnceMoreBytesThanTheBoundWaitForItHoweverFewTheFrames() throws Exception {
        TestUser stuck = TestEvents.registerUser("bytes");
        double dropped = Metrics.value("e2echat_gateway_fanout_dropped_total", "");
        double closed1013 = Metrics.value("e2echat_gateway_closes_total", "code=\"1013\"");
        WsClient s = connect(stuck);
        s.stopReading();
        // 60 frames of 400 KB: far fewer frames than any frame-count bound, far more bytes than the byte
        // bound plus what the kernel's socket buffers take before anything waits in the gateway
        String big = TestUser.randomBase64(300_000);
        int published = 0;
        for (; published < 60 && registry.connections(stuck.id()) > 0; published++) {
            publishMessage(List.of(stuck.id()), big);
        }
        Awaitility.await().atMost(WAIT).until(() -> registry.connections(stuck.id()) == 0);
        assertTrue(Metrics.value("e2echat_gateway_closes_total", "code=\"1013\"") > closed1013);
        assertTrue(Metrics.value("e2echat_gateway_fanout_dropped_total", "") > dropped);
        s.close();
    }

    @Test
    void aClientThatWasOfflineCatchesUpWithoutGapsOrDuplicates() throws Exception {
        List<TestUser> u = chat.users(2);
        TestUser alice = u.get(0);
        TestUser bob = u.get(1);
        String id = chat.group(u);
        Set<String> seen = new LinkedHashSet<>();
        List<Long> seqs = new ArrayList<>();
        WsClient b = connect(bob);
        for (int i = 0; i < 3; i++) {
            chat.send(alice, id, message(1)).then().statusCode(201);
            record(b.next("message", WAIT).path("message"), seen, seqs);
        }
        b.close();
        for (int i = 0; i < 3; i++) {
            chat.send(alice, id, message(1)).then().statusCode(201);
        }
        // reconnect first, then catch up: anything sent in between arrives live or in the page
        WsClient again = connect(bob);
        long lastSeq = seqs.get(seqs.size() - 1);
        for (JsonNode m : JSON.readTree(chat.read(bob, id, "after=" + lastSeq).asString()).path("messages")) {
            record(m, seen, seqs);
        }
        chat.send(alice, id, message(1)).then().statusCode(201);
        // live frames may repeat what the page returned (sent while reconnecting): dedupe by id
        while (!seqs.contains(7L)) {
            record(again.next("message", WAIT).path("message"), seen, seqs);
        }
        List<Long> sorted = seqs.stream().distinct().sorted().toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), sorted);
        assertEquals(7, seen.size());
        again.close();
    }

    private static void record(JsonNode message, Set<String> seen, List<Long> seqs) {
        if (seen.add(message.path("messageId").asText())) {
            seqs.add(message.path("seq").asLong());
        }
    }

    private static String publishMessage(List<String> recipients, String ciphertext) {
        String messageId = UUID.randomUUID().toString();
        String sessionId = UUID.randomUUID().toString();
        TestEvents.publish(Topic.MESSAGES, sessionId, MessageEvents.MessageStored.TYPE, MessageEvents.VERSION,
                new MessageEvents.MessageStored(messageId, sessionId, 1, 1, recipients.get(0), "u", "U", 1,
                        IdentityEncoding.SUITE_V1, UUID.randomUUID().toString(), TestUser.randomBase64(12), ciphertext,
                        TestUser.randomBase64(64), Instant.now(), Instant.now(), recipients));
        return messageId;
    }

}
