package org.e2echat.testsupport;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.e2echat.contracts.identity.IdentityEncoding;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Drives real services in tests: sessions on session-service, messages on message-service (each
 * either a peer process at a URL or, when its URL is null, the application under test). Users are
 * announced on {@code chat.users}; session-service knows them once it accepts them as members.
 */
public final class Chat {

    private final String sessionService;
    private final String messageService;

    public Chat(String sessionServiceUrl, String messageServiceUrl) {
        this.sessionService = sessionServiceUrl;
        this.messageService = messageServiceUrl;
    }

    /**
     * The services where the application under test finds them: {@code e2echat.session-service.url}
     * and {@code e2echat.message-service.url} when it calls them as peers, itself where it has no
     * such property (message-service has no URL for itself).
     */
    public static Chat fromConfig() {
        Config config = ConfigProvider.getConfig();
        return new Chat(config.getOptionalValue("e2echat.session-service.url", String.class).orElse(null),
                config.getOptionalValue("e2echat.message-service.url", String.class).orElse(null));
    }

    public List<TestUser> users(int n) {
        List<TestUser> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(TestEvents.registerUser("m"));
        }
        return list;
    }

    /** A group of {@code members} created by the first, at epoch 1 (retried until the peer knows everyone). */
    public String group(List<TestUser> members) {
        TestUser owner = members.get(0);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "GROUP");
        body.put("members", members.subList(1, members.size()).stream()
                .map(m -> Map.of("userId", m.id(), "role", "MEMBER")).toList());
        body.put("envelopes", owner.envelopesFor(members));
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> session(owner).body(body).post("/v1/sessions"), r -> r.statusCode() == 201)
                .path("id");
    }

    public Response remove(TestUser by, String sessionId, TestUser member) {
        return session(by).delete("/v1/sessions/" + sessionId + "/members/" + member.id());
    }

    public Response rotate(TestUser by, String sessionId, int epoch, List<TestUser> members, List<TestUser> added) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("epoch", epoch);
        body.put("addMembers", added.stream().map(m -> Map.of("userId", m.id(), "role", "MEMBER")).toList());
        body.put("envelopes", by.envelopesFor(members));
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> session(by).body(body).post("/v1/sessions/" + sessionId + "/rotations"),
                        r -> r.statusCode() != 422);
    }

    public Response sessionView(TestUser as, String sessionId) {
        return session(as).get("/v1/sessions/" + sessionId);
    }

    /** A well-formed message body at {@code epoch} with a fresh id and nonce. */
    public static Map<String, Object> message(int epoch) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clientMessageId", UUID.randomUUID().toString());
        m.put("epoch", epoch);
        m.put("suite", IdentityEncoding.SUITE_V1);
        m.put("nonce", TestUser.randomBase64(12));
        m.put("ciphertext", TestUser.randomBase64(64));
        m.put("signature", TestUser.randomBase64(64));
        m.put("clientTime", Instant.now().toString());
        return m;
    }

    public Response send(TestUser as, String sessionId, Map<String, Object> body) {
        return at(messageService, as).body(body).post("/v1/sessions/" + sessionId + "/messages");
    }

    public Response read(TestUser as, String sessionId, String query) {
        return at(messageService, as).get("/v1/sessions/" + sessionId + "/messages" + (query.isEmpty() ? "" : "?" + query));
    }

    private RequestSpecification session(TestUser as) {
        return at(sessionService, as);
    }

    private static RequestSpecification at(String url, TestUser as) {
        if (url == null) {
            return as.as();
        }
        java.net.URI uri = java.net.URI.create(url);
        return given().baseUri(uri.getScheme() + "://" + uri.getHost()).port(uri.getPort())
                .header("Authorization", "Bearer " + as.token()).contentType(ContentType.JSON);
    }
}
