package org.e2echat.gateway.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.websockets.next.OpenConnections;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import java.util.concurrent.CompletionException;
import org.awaitility.Awaitility;
import org.e2echat.common.security.VerifiedTokenCache;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.frames.Frames;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.gateway.domain.ConnectionRegistry;
import org.e2echat.testsupport.PeerServicesResource;
import org.e2echat.testsupport.RawHttp;
import org.e2echat.testsupport.TestEvents;
import org.e2echat.testsupport.TestJwt;
import org.e2echat.testsupport.TestUser;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who may connect, what they get first, and every reason a connection is refused or closed. */
@QuarkusTest
@QuarkusTestResource(value = PeerServicesResource.class,
        initArgs = @ResourceArg(name = "services", value = "session-service,message-service"))
class ConnectionTest {

    @TestHTTPResource("/ws")
    URI http;

    @Inject
    DeadPeerReaper reaper;

    @Inject
    ConnectionRegistry registry;

    @Inject
    OpenConnections open;

    URI ws;

    @BeforeEach
    void ready() {
        ws = URI.create(http.toString().replaceFirst("^http", "ws"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void authenticatesByHeaderAndBySubprotocolAndSaysHello() throws Exception {
        TestUser alice = TestEvents.registerUser("ws");
        for (WsClient client : List.of(WsClient.withHeader(ws, alice.token()), WsClient.withCarrier(ws, alice.token()))) {
            JsonNode hello = client.next("hello", Duration.ofSeconds(10));
            assertEquals(alice.id(), hello.path("userId").asText());
            assertTrue(hello.path("connectionId").asText().length() > 0);
            assertEquals(20, hello.path("heartbeatSeconds").asInt());
            client.send("{\"type\":\"ping\"}");
            client.next("pong", Duration.ofSeconds(10));
            client.close();
        }
    }

    @Test
    void refusedUpgradesAnswerProblemJsonAndLogNoErrors() throws Exception {
        TestUser u = TestEvents.registerUser("ws");
        List<LogRecord> errors = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(capture);
        try {
            String carrier = "chat.v1, quarkus-http-upgrade#Authorization#Bearer%20";
            for (Map<String, String> auth : List.of(Map.<String, String>of(), Map.of("Authorization", "Bearer not-a-jwt"),
                    Map.of("Authorization", "Bearer " + TestJwt.forge().expired(u.id(), u.username(), Duration.ofMinutes(5))),
                    Map.of("Authorization", "Bearer " + TestJwt.forge().algNone(u.id(), u.username())),
                    Map.of("Sec-WebSocket-Protocol", carrier + "forged"))) {
                Map<String, String> headers = new java.util.HashMap<>(upgradeHeaders());
                headers.putAll(auth);
                RawHttp.Answer answer = RawHttp.get(http, "/ws", headers);
                assertEquals(401, answer.status(), auth.toString());
                assertEquals("application/problem+json", answer.headers().get("content-type"));
                assertEquals("Bearer", answer.headers().get("www-authenticate"));
                assertTrue(answer.body().contains("\"urn:e2echat:problem:unauthenticated\""), answer.body());
            }
            Map<String, String> good = new java.util.HashMap<>(upgradeHeaders());
            good.put("Sec-WebSocket-Protocol", carrier + u.token());
            assertEquals(101, RawHttp.get(http, "/ws", good).status());
            assertEquals(List.of(), errors.stream().map(LogRecord::getMessage).toList());
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }
    }

    @Test
    void aDeletedAccountsTokenOpensNoConnection() throws Exception {
        TestUser u = TestEvents.registerUser("gone");
        Map<String, String> headers = new java.util.HashMap<>(upgradeHeaders());
        headers.put("Authorization", "Bearer " + u.token());
        assertEquals(101, RawHttp.get(http, "/ws", headers).status());
        TestEvents.publish(Topic.USERS, u.id(), UserEvents.UserDeleted.TYPE, UserEvents.VERSION,
                new UserEvents.UserDeleted(u.id(), u.username(), "x", Instant.now()));
        // the token is signed and unexpired, but the account is gone
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> RawHttp.get(http, "/ws", headers).status() == 401);
        assertTrue(RawHttp.get(http, "/ws", headers).body().contains("account deleted"));
    }

    private static Map<String, String> upgradeHeaders() {
        byte[] nonce = new byte[16];
        new java.security.SecureRandom().nextBytes(nonce);
        return Map.of("Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13",
                "Sec-WebSocket-Key", java.util.Base64.getEncoder().encodeToString(nonce), "Sec-WebSocket-Protocol", "chat.v1");
    }

    @Test
    void upgradesWithoutAValidTokenOrSubprotocolOrFromAStrangeOriginAreRefused() {
        TestUser u = TestEvents.registerUser("ws");
        HttpClient http = HttpClient.newHttpClient();
        assertEquals(401, handshakeStatus(() -> WsClient.connect(http.newWebSocketBuilder().subprotocols("chat.v1"), ws, true)));
        for (String token : List.of("not-a-jwt", TestJwt.forge().algNone(u.id(), u.username()),
                TestJwt.forge().expired(u.id(), u.username(), Duration.ofMinutes(5)),
                TestJwt.forge().wrongAudience(u.id(), u.username()))) {
            assertEquals(401, handshakeStatus(() -> WsClient.withHeader(ws, token)));
        }
        String carrierOnly = "quarkus-http-upgrade#Authorization#Bearer%20" + u.token();
        assertEquals(400, handshakeStatus(() -> WsClient.connect(http.newWebSocketBuilder().subprotocols(carrierOnly), ws, true)));
        assertEquals(403, handshakeStatus(() -> WsClient.connect(http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + u.token()).header("Origin", "https://evil.example.test")
                .subprotocols("chat.v1"), ws, true)));
        WsClient allowed = WsClient.connect(http.newWebSocketBuilder().header("Authorization", "Bearer " + u.token())
                .header("Origin", "https://chat.example.test").subprotocols("chat.v1"), ws, true);
        allowed.close();
    }

    @Test
    void aUserHasAtMostThreeConnections() throws Exception {
        TestUser u = TestEvents.registerUser("cap");
        List<WsClient> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            WsClient c = WsClient.withHeader(ws, u.token());
            c.next("hello", Duration.ofSeconds(10));
            open.add(c);
        }
        WsClient fourth = WsClient.withHeader(ws, u.token());
        assertEquals(1008, fourth.closeCode(Duration.ofSeconds(10)));
        open.forEach(WsClient::close);
    }

    @Test
    void badFramesGetErrorFramesAndTheConnectionStays() throws Exception {
        TestUser u = TestEvents.registerUser("bad");
        WsClient c = WsClient.withHeader(ws, u.token());
        c.next("hello", Duration.ofSeconds(10));
        c.send("{not json");
        assertEquals("urn:e2echat:problem:malformed-frame", c.next("error", Duration.ofSeconds(10)).path("problem").path("type").asText());
        c.send("{\"type\":\"dance\"}");
        assertEquals("urn:e2echat:problem:unknown-frame", c.next("error", Duration.ofSeconds(10)).path("problem").path("type").asText());
        c.send("[1,2]");
        assertEquals(400, c.next("error", Duration.ofSeconds(10)).path("problem").path("status").asInt());
        c.send("{\"type\":\"send\",\"sessionId\":\"nope\",\"clientMessageId\":\"x\"}");
        JsonNode error = c.next("error", Duration.ofSeconds(10));
        assertEquals(404, error.path("problem").path("status").asInt());
        assertEquals("x", error.path("clientMessageId").asText());
        c.send("{\"type\":\"ping\"}");
        c.next("pong", Duration.ofSeconds(10));
        c.close();
    }

    @Test
    void anOversizedFrameClosesWith1009() throws Exception {
        TestUser u = TestEvents.registerUser("big");
        WsClient c = WsClient.withHeader(ws, u.token());
        c.next("hello", Duration.ofSeconds(10));
        c.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(140_000) + "\"}");
        assertEquals(1009, c.closeCode(Duration.ofSeconds(10)));
    }

    @Test
    void theFrameLimitCountsBytesNotCharacters() throws Exception {
        TestUser u = TestEvents.registerUser("euro");
        WsClient c = WsClient.withHeader(ws, u.token());
        c.next("hello", Duration.ofSeconds(10));
        // 50,000 characters, 150,000 bytes of UTF-8: over the 128 KiB limit
        c.send("{\"type\":\"ping\",\"pad\":\"" + "\u20ac".repeat(50_000) + "\"}");
        assertEquals(1009, c.closeCode(Duration.ofSeconds(10)));
    }

    @Test
    void floodingGetsRateLimitErrorsAndThenTheConnectionIsClosed() throws Exception {
        TestUser u = TestEvents.registerUser("flood");
        WsClient c = WsClient.withHeader(ws, u.token());
        c.next("hello", Duration.ofSeconds(10));
        for (int i = 0; i < 30 && !c.closed.isDone(); i++) {
            try {
                c.send("{\"type\":\"ping\"}");
            } catch (CompletionException e) {
                break;
            }
        }
        JsonNode limited = c.next("error", Duration.ofSeconds(10));
        assertEquals("urn:e2echat:problem:rate-limited", limited.path("problem").path("type").asText());
        assertEquals(1008, c.closeCode(Duration.ofSeconds(10)));
    }

    @Test
    void aConnectionIsClosedWhenItsTokenExpiresAndNotBefore() throws Exception {
        TestUser u = TestEvents.registerUser("exp");
        long expiresAt = Instant.now().getEpochSecond() + 3;
        String shortLived = TestJwt.forge().with(u.id(), u.username(),
                claims -> claims.setExpirationTime(NumericDate.fromSeconds(expiresAt)));
        WsClient c = WsClient.withHeader(ws, shortLived);
        c.next("hello", Duration.ofSeconds(10));
        assertEquals(1008, c.closeCode(Duration.ofSeconds(15)));
        assertEquals(Frames.CloseCodes.TOKEN_EXPIRED, c.closeReason);
        assertTrue(c.closedAtMillis >= expiresAt * 1000, "closed " + (expiresAt * 1000 - c.closedAtMillis) + " ms early");
        // one sweep a second: closed within the second after expiry (plus scheduling on a busy machine)
        assertTrue(c.closedAtMillis <= expiresAt * 1000 + 2_500,
                "closed " + (c.closedAtMillis - expiresAt * 1000) + " ms after expiry");
    }

    @Test
    void theGatewayRemembersNoVerifiedTokens() {
        // a socket's token is verified once, at the upgrade; remembering it would only hold memory
        assertFalse(Arc.container().select(VerifiedTokenCache.class).isResolvable());
    }

    @Test
    void deletingTheAccountClosesAllItsConnections() throws Exception {
        TestUser u = TestEvents.registerUser("del");
        WsClient a = WsClient.withHeader(ws, u.token());
        WsClient b = WsClient.withCarrier(ws, u.token());
        a.next("hello", Duration.ofSeconds(10));
        b.next("hello", Duration.ofSeconds(10));
        TestEvents.publish(Topic.USERS, u.id(), UserEvents.UserDeleted.TYPE, UserEvents.VERSION,
                new UserEvents.UserDeleted(u.id(), u.username(), "x", Instant.now()));
        assertEquals(1008, a.closeCode(Duration.ofSeconds(20)));
        assertEquals(1008, b.closeCode(Duration.ofSeconds(20)));
    }

    @Test
    void aPeerThatAnswersNothingIsClosedWhileOneThatAnswersPingsStays() throws Exception {
        TestUser quiet = TestEvents.registerUser("quiet");
        TestUser alive = TestEvents.registerUser("alive");
        WsClient q = WsClient.withHeader(ws, quiet.token());
        q.next("hello", Duration.ofSeconds(10));
        q.stopReading();
        WsClient a = WsClient.withHeader(ws, alive.token());
        String aliveId = a.next("hello", Duration.ofSeconds(10)).path("connectionId").asText();
        double deadPeerCloses = Metrics.value("e2echat_gateway_closes_total", "code=\"1001\"");
        long cutoff = System.nanoTime();
        // The server's heartbeat ping, now instead of in 20 s; the client's automatic pong is all it sends.
        open.findByConnectionId(aliveId).orElseThrow().sendPing(Buffer.buffer("hb")).await().atMost(Duration.ofSeconds(5));
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            reaper.reapSilentSince(cutoff);
            return registry.connections(quiet.id()) == 0;
        });
        assertEquals(1, registry.connections(alive.id()), "the pong kept the live peer");
        assertTrue(Metrics.value("e2echat_gateway_closes_total", "code=\"1001\"") > deadPeerCloses,
                "dead-peer closes are counted by code");
        q.resumeReading();
        assertEquals(1001, q.closeCode(Duration.ofSeconds(15)));
        a.send("{\"type\":\"ping\"}");
        a.next("pong", Duration.ofSeconds(10));
        a.close();
    }

    private static int handshakeStatus(Runnable connect) {
        CompletionException e = assertThrows(CompletionException.class, connect::run);
        Throwable cause = e.getCause();
        assertTrue(cause instanceof WebSocketHandshakeException, String.valueOf(cause));
        return ((WebSocketHandshakeException) cause).getResponse().statusCode();
    }

}
