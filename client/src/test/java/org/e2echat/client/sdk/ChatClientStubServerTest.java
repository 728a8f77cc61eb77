package org.e2echat.client.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.PublicIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ChatClient against a scripted HTTP server standing in for the services: problem+json becomes a
 * typed exception, a server that swaps a contact's identity or serves a KEM key its signing key
 * did not sign is caught by the client, and a message store that loses acknowledged messages and
 * gives their seqs to others is noticed and the client's timeline repaired from it.
 */
class ChatClientStubServerTest {

    /** A scripted answer: status, content type and body. */
    record Answer(int status, String contentType, String body) {
    }

    static {
        // the JDK server otherwise waits for delayed ACKs (Nagle), ~40 ms per call
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final String BODY = "body";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private final Map<String, Function<HttpExchange, Answer>> routes = new ConcurrentHashMap<>();
    private final List<String> authorizations = new ArrayList<>();
    private Endpoints endpoints;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            synchronized (authorizations) {
                authorizations.add(key + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            }
            exchange.setAttribute(BODY, exchange.getRequestBody().readAllBytes());
            Function<HttpExchange, Answer> route = routes.get(key);
            Answer answer = route == null
                    ? new Answer(404, "application/problem+json",
                    "{\"type\":\"urn:e2echat:problem:not-found\",\"status\":404,\"title\":\"Not Found\"}")
                    : route.apply(exchange);
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", answer.contentType());
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        endpoints = new Endpoints(base, base, base, base);
        routes.put("POST /v1/users", x -> json(201, "{\"id\":\"u-alice\",\"username\":\"alice\",\"currentKeyVersion\":1}"));
        routes.put("POST /v1/auth/login", x -> json(200, "{\"userId\":\"u-alice\",\"accessToken\":\"tok-1\"}"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static Answer json(int status, String body) {
        return new Answer(status, "application/json", body);
    }

    private static String user(String id, PublicIdentity key) {
        return "{\"id\":\"" + id + "\",\"currentKeyVersion\":" + key.keyVersion() + ",\"currentKey\":" + key(key) + "}";
    }

    private static String key(PublicIdentity key) {
        return "{\"version\":" + key.keyVersion() + ",\"suite\":\"" + key.suite() + "\",\"signingPublicKey\":\""
                + key.signingPublicKeyBase64() + "\",\"kemPublicKey\":\"" + key.kemPublicKeyBase64()
                + "\",\"kemKeySignature\":\"" + key.kemKeySignatureBase64() + "\",\"status\":\"ACTIVE\"}";
    }

    @Test
    void registersLogsInAndSendsTheTokenAsBearer() {
        PublicIdentity bob = Identity.generate(1).publicIdentity();
        routes.put("GET /v1/users/u-bob", x -> json(200, user("u-bob", bob)));
        ChatClient alice = ChatClient.register(endpoints, "alice", "Alice", "long enough password");
        assertEquals("u-alice", alice.userId());
        assertEquals(bob, alice.currentIdentity("u-bob"));
        assertTrue(authorizations.contains("POST /v1/users null"), "registration is anonymous: " + authorizations);
        assertTrue(authorizations.contains("GET /v1/users/u-bob Bearer tok-1"), authorizations.toString());
        alice.close();
    }

    @Test
    void anExpiredAccessTokenIsRefreshedOnceAndTheCallRepeated() {
        PublicIdentity bob = Identity.generate(1).publicIdentity();
        routes.put("POST /v1/auth/login", x -> json(200,
                "{\"userId\":\"u-alice\",\"accessToken\":\"tok-1\",\"refreshToken\":\"ref-1\"}"));
        routes.put("POST /v1/auth/refresh", x -> json(200,
                "{\"userId\":\"u-alice\",\"accessToken\":\"tok-2\",\"refreshToken\":\"ref-2\"}"));
        routes.put("GET /v1/users/u-bob", x -> "Bearer tok-2".equals(x.getRequestHeaders().getFirst("Authorization"))
                ? json(200, user("u-bob", bob))
                : new Answer(401, "application/problem+json",
                        "{\"type\":\"urn:e2echat:problem:unauthorized\",\"status\":401,\"title\":\"Unauthorized\"}"));
        ChatClient alice = ChatClient.register(endpoints, "alice", "Alice", "long enough password");
        assertEquals(bob, alice.currentIdentity("u-bob"));
        assertEquals(List.of("GET /v1/users/u-bob Bearer tok-1", "POST /v1/auth/refresh null",
                "GET /v1/users/u-bob Bearer tok-2"), authorizations.subList(authorizations.size() - 3, authorizations.size()));
        routes.put("GET /v1/users/u-carol", x -> new Answer(401, "application/problem+json",
                "{\"type\":\"urn:e2echat:problem:unauthorized\",\"status\":401,\"title\":\"Unauthorized\"}"));
        ChatApiException refused = assertThrows(ChatApiException.class, () -> alice.currentIdentity("u-carol"));
        assertEquals(401, refused.status(), "refreshed once, then the 401 stands");
        assertEquals(2, authorizations.stream().filter(a -> a.startsWith("POST /v1/auth/refresh")).count());
        alice.close();
    }

    @Test
    void problemJsonBecomesATypedExceptionWithItsExtensions() {
        routes.put("POST /v1/users", x -> new Answer(409, "application/problem+json",
                "{\"type\":\"urn:e2echat:problem:username-taken\",\"title\":\"Conflict\",\"status\":409,"
                        + "\"detail\":\"taken\",\"instance\":\"/v1/users\",\"hint\":7}"));
        ChatApiException e = assertThrows(ChatApiException.class,
                () -> ChatClient.register(endpoints, "alice", "Alice", "long enough password"));
        assertEquals(409, e.status());
        assertEquals("username-taken", e.slug());
        assertEquals(7, e.problem().path("hint").asInt());
    }

    @Test
    void aSwappedIdentityWarnsTheListenerAndIsRefused() {
        PublicIdentity first = Identity.generate(1).publicIdentity();
        PublicIdentity swapped = Identity.generate(1).publicIdentity();
        List<PublicIdentity> served = new ArrayList<>(List.of(first, swapped));
        routes.put("GET /v1/users/u-bob", x -> json(200, user("u-bob", served.remove(0))));
        ChatClient alice = ChatClient.register(endpoints, "alice", "Alice", "long enough password");
        List<IdentityChange> warnings = new ArrayList<>();
        alice.addListener(new ChatListener() {
            @Override
            public void onIdentityChanged(IdentityChange change) {
                warnings.add(change);
            }
        });
        alice.currentIdentity("u-bob");
        IdentityChangedException e = assertThrows(IdentityChangedException.class, () -> alice.currentIdentity("u-bob"));
        assertEquals(first.fingerprintHex(), e.change().pinnedFingerprint());
        assertEquals(swapped.fingerprintHex(), e.change().newFingerprint());
        assertEquals(List.of(e.change()), warnings);
        alice.close();
    }

    @Test
    void aKemKeyNotSignedByTheSigningKeyIsNeverTrustedOrPinned() {
        PublicIdentity bob = Identity.generate(1).publicIdentity();
        PublicIdentity other = Identity.generate(1).publicIdentity();
        PublicIdentity forged = PublicIdentity.of(bob.suite(), 1, bob.signingPublicKey(), other.kemPublicKey(),
                bob.kemKeySignature());
        routes.put("GET /v1/users/u-bob", x -> json(200, user("u-bob", forged)));
        ChatClient alice = ChatClient.register(endpoints, "alice", "Alice", "long enough password");
        assertThrows(IllegalStateException.class, () -> alice.currentIdentity("u-bob"));
        assertNull(alice.tofu().pinnedFingerprint("u-bob"));
        alice.close();
    }

    // ---------------------------------------------------------------- a store that forgets

    /**
     * message-service and session-service as a stub: stores alice's sends under the next seq,
     * pages them like GetMessages, and can lose its tail as a crashed store that acknowledged
     * writes it did not keep would, so that the lost seqs are given to the next messages.
     */
    static final class StubStore {
        final TreeMap<Long, ObjectNode> bySeq = new TreeMap<>();
        long nextSeq = 1;
        int nextId = 1;
        int pageReads;

        synchronized Answer send(String sessionId, byte[] body) {
            ObjectNode m = (ObjectNode) read(body);
            m.put("messageId", "m" + nextId++).put("sessionId", sessionId).put("seq", nextSeq++)
                    .put("senderId", "u-alice").put("senderUsername", "alice").put("senderDisplayName", "Alice")
                    .put("serverTime", "2026-01-01T00:00:00Z");
            bySeq.put(m.path("seq").asLong(), m);
            return json(201, m.toString());
        }

        synchronized Answer page(String query) {
            pageReads++;
            Map<String, Long> q = new HashMap<>();
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=");
                q.put(kv[0], Long.parseLong(kv[1]));
            }
            int limit = q.getOrDefault("limit", 50L).intValue();
            List<ObjectNode> all = q.containsKey("before")
                    ? new ArrayList<>(bySeq.headMap(q.get("before"), false).descendingMap().values())
                    : new ArrayList<>(bySeq.tailMap(q.getOrDefault("after", 0L), false).values());
            ObjectNode page = JSON.createObjectNode();
            all.stream().limit(limit).forEach(page.putArray("messages")::add);
            page.put("hasMore", all.size() > limit);
            return json(200, page.toString());
        }

        synchronized ObjectNode at(long seq) {
            return bySeq.get(seq);
        }

        /** The crash: everything from {@code seq} on is gone, and the next send gets {@code seq} again. */
        synchronized void loseFrom(long seq) {
            bySeq.tailMap(seq, true).clear();
            nextSeq = seq;
        }
    }

    private static JsonNode read(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Routes session creation (echoing the client's session id) and the session's messages to {@code store}. */
    private String groupOnStore(ChatClient alice, StubStore store) throws InterruptedException {
        routes.put("POST /v1/sessions", x -> json(201, "{\"id\":\"" + read((byte[]) x.getAttribute(BODY))
                .path("sessionId").asText() + "\",\"currentEpoch\":1}"));
        String sessionId = alice.createGroup(List.of(), Duration.ofSeconds(1));
        String messages = "/v1/sessions/" + sessionId + "/messages";
        routes.put("POST " + messages, x -> store.send(sessionId, (byte[]) x.getAttribute(BODY)));
        routes.put("GET " + messages, x -> store.page(x.getRequestURI().getRawQuery()));
        return sessionId;
    }

    /** What a listener heard: repairs as "repaired@fromSeq" and deliveries as "seq:messageId", in order. */
    static final class Heard implements ChatListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> repaired = new CompletableFuture<>();
        volatile String awaitedId;
        final CompletableFuture<Void> awaited = new CompletableFuture<>();

        @Override
        public void onMessage(ReceivedMessage message) {
            events.add(message.seq() + ":" + message.messageId());
            if (message.messageId().equals(awaitedId) && repaired.isDone()) {
                awaited.complete(null);
            }
        }

        @Override
        public void onTimelineRepaired(String sessionId, long fromSeq) {
            events.add("repaired@" + fromSeq);
            repaired.complete(null);
        }

        @Override
        public void onError(Throwable error) {
            events.add("error:" + error);
        }
    }

    private static List<String> ids(List<ReceivedMessage> messages) {
        return messages.stream().map(m -> m.seq() + ":" + m.messageId() + ":" + m.text()).toList();
    }

    private static List<String> serverView(StubStore store) {
        synchronized (store) {
            return store.bySeq.values().stream().map(m -> m.path("seq").asLong() + ":" + m.path("messageId").asText())
                    .toList();
        }
    }

    /** alice, a group on {@code store}, and three messages she has caught up: m1, m2, m3 at seqs 1-3. */
    private ChatClient aliceWithThreeMessages(StubStore store, String[] sessionId) throws InterruptedException {
        ChatClient alice = ChatClient.register(endpoints, "alice", "Alice", "long enough password");
        sessionId[0] = groupOnStore(alice, store);
        for (String text : List.of("one", "lost two", "lost three")) {
            alice.send(sessionId[0], text);
        }
        assertEquals(3, alice.catchUp(sessionId[0]));
        return alice;
    }

    @Test
    void aSendWhoseOutcomeIsUnknownIsRepeatedUnchangedAndTheServersFirstAnswerKept() throws Exception {
        StubStore store = new StubStore();
        ChatClient alice = ChatClient.register(endpoints, "alice", "Alice", "long enough password");
        String sessionId = groupOnStore(alice, store);
        List<String> bodies = new CopyOnWriteArrayList<>();
        Map<String, ObjectNode> storedByClientId = new ConcurrentHashMap<>();
        routes.put("POST /v1/sessions/" + sessionId + "/messages", x -> {
            byte[] body = (byte[]) x.getAttribute(BODY);
            bodies.add(new String(body, StandardCharsets.UTF_8));
            String clientMessageId = read(body).path("clientMessageId").asText();
            ObjectNode earlier = storedByClientId.get(clientMessageId);
            if (earlier != null) {
                return json(200, earlier.toString());
            }
            Answer stored = store.send(sessionId, body);
            storedByClientId.put(clientMessageId, (ObjectNode) read(stored.body().getBytes(StandardCharsets.UTF_8)));
            // stored, but the answer is lost to the client: it only sees the store going away
            x.getResponseHeaders().add("Retry-After", "1");
            return new Answer(503, "application/problem+json",
                    "{\"type\":\"urn:e2echat:problem:dependency-unavailable\",\"status\":503}");
        });

        long seq = alice.send(sessionId, "hello once");

        assertEquals(1, seq);
        assertEquals(2, bodies.size(), "one repeat after the 503");
        assertEquals(bodies.get(0), bodies.get(1), "the repeat is the identical request, so the server can replay it");
        assertEquals(List.of("1:m1"), serverView(store), "stored once");
    }

    @Test
    void aCatchUpThatFindsASeqReusedUnderAnotherIdRepairsTheTimelineFromTheServer() throws Exception {
        StubStore store = new StubStore();
        String[] sid = new String[1];
        ChatClient alice = aliceWithThreeMessages(store, sid);
        Heard heard = new Heard();
        alice.addListener(heard);

        store.loseFrom(2); // m2 and m3 were acknowledged, then lost; seqs 2 and 3 go to the next sends
        for (String text : List.of("real two", "real three", "real four")) {
            alice.send(sid[0], text);
        }
        alice.catchUp(sid[0]);

        assertEquals(List.of("1:m1:one", "2:m4:real two", "3:m5:real three", "4:m6:real four"),
                ids(alice.messages(sid[0])), "the server's answer wins");
        assertEquals(serverView(store), alice.messages(sid[0]).stream().map(m -> m.seq() + ":" + m.messageId()).toList());
        assertEquals(List.of("repaired@2", "2:m4", "3:m5", "4:m6"), heard.events,
                "the listener hears of the repair, then gets the server's messages from there");
        assertEquals(4, alice.timeline(sid[0]).lastSeq());
        assertEquals(0, alice.catchUp(sid[0]), "repaired once; nothing new afterwards");
        assertEquals(List.of("repaired@2", "2:m4", "3:m5", "4:m6"), heard.events);
        alice.close();
    }

    @Test
    void aLiveMessageAtAHeldSeqWithAnotherIdRepairsTheTimelineAndIsShown() throws Exception {
        StubStore store = new StubStore();
        String[] sid = new String[1];
        ChatClient alice;
        try (StubGateway gateway = new StubGateway("u-alice")) {
            URI base = endpoints.userService();
            endpoints = new Endpoints(base, base, base, URI.create("http://127.0.0.1:" + gateway.port()));
            alice = aliceWithThreeMessages(store, sid);
            Heard heard = new Heard();
            alice.addListener(heard);
            alice.connect();

            store.loseFrom(2);
            alice.send(sid[0], "real two");
            heard.awaitedId = store.at(2).path("messageId").asText();
            gateway.sendText("{\"type\":\"message\",\"message\":" + store.at(2) + "}");

            heard.awaited.get(10, TimeUnit.SECONDS);
            assertEquals(List.of("1:m1:one", "2:m4:real two"), ids(alice.messages(sid[0])),
                    "the phantom at seq 2 and the one after it are gone; the real seq 2 is shown");
            assertEquals(List.of("repaired@2", "2:m4"), heard.events);
            alice.close();
        }
    }

    @Test
    void aScrollbackThatContradictsTheTimelineRepairsIt() throws Exception {
        StubStore store = new StubStore();
        String[] sid = new String[1];
        ChatClient alice = aliceWithThreeMessages(store, sid);
        Heard heard = new Heard();
        alice.addListener(heard);

        store.loseFrom(3);
        alice.send(sid[0], "real three");
        List<ReceivedMessage> history = alice.readAll(sid[0]);

        assertEquals(List.of("1:m1:one", "2:m2:lost two", "3:m4:real three"), ids(history));
        assertEquals(ids(history), ids(alice.messages(sid[0])));
        assertEquals(List.of("repaired@3", "3:m4"), heard.events);
        alice.close();
    }

    @Test
    void aMemberWhoJoinedLateCatchesUpInPagesAndThenOnlyReadsWhatIsNew() throws Exception {
        StubStore store = new StubStore();
        ChatClient alice = ChatClient.register(endpoints, "alice", "Alice", "long enough password");
        String sid = groupOnStore(alice, store);
        store.nextSeq = 101; // seqs 1-100 are from epochs before this member joined: never visible
        for (int i = 0; i < 250; i++) {
            alice.send(sid, "m" + i);
        }
        int added = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> alice.catchUp(sid));
        assertEquals(250, added);
        assertEquals(350, alice.timeline(sid).lastSeq(), "the seqs never visible are no gap");
        assertFalse(alice.timeline(sid).gapBefore(351));
        int reads = store.pageReads;
        assertEquals(0, alice.catchUp(sid));
        assertEquals(reads + 1, store.pageReads, "a catch-up with nothing new is one page");
        alice.close();
    }
}
