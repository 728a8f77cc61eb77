package org.e2echat.client.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.PublicIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ChatClient against a scripted HTTP server standing in for user-service: problem+json becomes a
 * typed exception, and a server that swaps a contact's identity or serves a KEM key its signing
 * key did not sign is caught by the client.
 */
class ChatClientStubServerTest {

    /** A scripted answer: status, content type and body. */
    record Answer(int status, String contentType, String body) {
    }

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
            exchange.getRequestBody().readAllBytes();
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
}
