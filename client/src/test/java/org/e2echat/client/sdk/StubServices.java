package org.e2echat.client.sdk;

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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.e2echat.client.crypto.PublicIdentity;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A scripted HTTP server standing in for the four services, for testing the SDK's parts and the
 * CLI against real HTTP: each route ("METHOD /path") answers what a test scripts; every request's
 * Authorization header and body are recorded. alice registers as {@code u-alice} and logs in with
 * {@code tok-1} unless a test scripts otherwise.
 */
public final class StubServices implements AutoCloseable, AfterEachCallback {

    /** A scripted answer: status, content type and body. */
    public record Answer(int status, String contentType, String body) {
    }

    static {
        // the JDK server otherwise waits for delayed ACKs (Nagle), ~40 ms per call
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public static final String BODY = "body";
    public static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    public final Map<String, Function<HttpExchange, Answer>> routes = new ConcurrentHashMap<>();
    /** "METHOD /path Authorization" of every request, in order. */
    public final List<String> authorizations = new ArrayList<>();
    /** "METHOD /path" → the body of the last such request. */
    public final Map<String, String> bodies = new ConcurrentHashMap<>();
    private final Endpoints endpoints;

    /** Starts the server; as a JUnit extension ({@code @RegisterExtension}) it stops after each test. */
    public StubServices() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            synchronized (authorizations) {
                authorizations.add(key + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            }
            byte[] request = exchange.getRequestBody().readAllBytes();
            exchange.setAttribute(BODY, request);
            bodies.put(key, new String(request, StandardCharsets.UTF_8));
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

    public Endpoints endpoints() {
        return endpoints;
    }

    /** The same services with the gateway on {@code port}. */
    public Endpoints endpointsWithGateway(int port) {
        return new Endpoints(endpoints.userService(), endpoints.sessionService(), endpoints.messageService(),
                URI.create("http://127.0.0.1:" + port));
    }

    /** alice, registered and logged in. */
    public ChatClient alice() {
        return ChatClient.register(endpoints, "alice", "Alice", "long enough password");
    }

    public static Answer json(int status, String body) {
        return new Answer(status, "application/json", body);
    }

    public static Answer problem(int status, String slug) {
        return new Answer(status, "application/problem+json", "{\"type\":\"urn:e2echat:problem:" + slug
                + "\",\"status\":" + status + ",\"title\":\"" + slug + "\"}");
    }

    /** A user profile as user-service answers it, with {@code key} current. */
    public static String user(String id, PublicIdentity key) {
        return "{\"id\":\"" + id + "\",\"username\":\"" + id.replace("u-", "") + "\",\"currentKeyVersion\":"
                + key.keyVersion() + ",\"currentKey\":" + key(key) + "}";
    }

    /** One key as user-service answers it, ACTIVE. */
    public static String key(PublicIdentity key) {
        return "{\"version\":" + key.keyVersion() + ",\"suite\":\"" + key.suite() + "\",\"signingPublicKey\":\""
                + key.signingPublicKeyBase64() + "\",\"kemPublicKey\":\"" + key.kemPublicKeyBase64()
                + "\",\"kemKeySignature\":\"" + key.kemKeySignatureBase64() + "\",\"status\":\"ACTIVE\"}";
    }

    /** Serves {@code keys} as every version of user {@code id} ({@code GET /v1/users/{id}/keys}). */
    public void keys(String id, PublicIdentity... keys) {
        StringBuilder list = new StringBuilder();
        for (PublicIdentity k : keys) {
            list.append(list.length() == 0 ? "" : ",").append(key(k));
        }
        routes.put("GET /v1/users/" + id + "/keys", x -> json(200, "{\"userId\":\"" + id + "\",\"keys\":[" + list + "]}"));
    }

    public static JsonNode read(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Routes session creation (echoing the client's session id) and the session's messages to {@code store}. */
    public String groupOn(ChatClient client, StubStore store) throws InterruptedException {
        routes.put("POST /v1/sessions", x -> json(201, "{\"id\":\"" + read((byte[]) x.getAttribute(BODY))
                .path("sessionId").asText() + "\",\"currentEpoch\":1}"));
        String sessionId = client.createGroup(List.of(), Duration.ofSeconds(1));
        serve(sessionId, store);
        return sessionId;
    }

    /** {@link #groupOn}, then {@code texts} sent and caught up by {@code client}: seqs 1.. hold m1.. */
    public String groupWithCaughtUp(ChatClient client, StubStore store, String... texts) throws InterruptedException {
        String sessionId = groupOn(client, store);
        for (String text : texts) {
            client.send(sessionId, text);
        }
        if (client.catchUp(sessionId) != texts.length) {
            throw new IllegalStateException("the catch-up did not add every message sent");
        }
        return sessionId;
    }

    /** Routes a session's sends and GetMessages to {@code store}. */
    public void serve(String sessionId, StubStore store) {
        String messages = "/v1/sessions/" + sessionId + "/messages";
        routes.put("POST " + messages, x -> store.send(sessionId, (byte[]) x.getAttribute(BODY)));
        routes.put("GET " + messages, x -> store.page(x.getRequestURI().getRawQuery()));
    }

    @Override
    public void close() {
        server.stop(0);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /**
     * message-service as a stub: stores sends under the next seq (as alice's, unless the body names its sender), pages them like
     * GetMessages, and can lose its tail as a crashed store that acknowledged writes it did not
     * keep would, so that the lost seqs are given to the next messages.
     */
    public static final class StubStore {
        final TreeMap<Long, ObjectNode> bySeq = new TreeMap<>();
        long nextSeq = 1;
        int nextId = 1;
        int pageReads;

        public synchronized Answer send(String sessionId, byte[] body) {
            ObjectNode m = (ObjectNode) read(body);
            m.put("messageId", "m" + nextId++).put("sessionId", sessionId).put("seq", nextSeq++)
                    .put("serverTime", "2026-01-01T00:00:00Z");
            if (!m.has("senderId")) { // a test's message from someone else names its sender
                m.put("senderId", "u-alice").put("senderUsername", "alice").put("senderDisplayName", "Alice");
            }
            bySeq.put(m.path("seq").asLong(), m);
            return json(201, m.toString());
        }

        public synchronized Answer page(String query) {
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

        public synchronized ObjectNode at(long seq) {
            return bySeq.get(seq);
        }

        /** Changes the stored message at {@code seq} (a tampering server or member). */
        public synchronized void tamper(long seq, java.util.function.Consumer<ObjectNode> change) {
            change.accept(bySeq.get(seq));
        }

        /** The crash: everything from {@code seq} on is gone, and the next send gets {@code seq} again. */
        public synchronized void loseFrom(long seq) {
            bySeq.tailMap(seq, true).clear();
            nextSeq = seq;
        }

        /** "seq:messageId" of everything stored, in seq order. */
        public synchronized List<String> view() {
            return bySeq.values().stream().map(m -> m.path("seq").asLong() + ":" + m.path("messageId").asText())
                    .toList();
        }
    }
}
