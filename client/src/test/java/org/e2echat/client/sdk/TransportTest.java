package org.e2echat.client.sdk;

import static org.e2echat.client.sdk.StubServices.json;
import static org.e2echat.client.sdk.StubServices.problem;
import static org.e2echat.client.sdk.StubServices.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.PublicIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Raw HTTP: problem+json as a typed exception, Retry-After, and one refresh-and-repeat after a 401. */
class TransportTest {

    @RegisterExtension
    final StubServices services = new StubServices();


    @Test
    void problemJsonBecomesATypedExceptionWithItsExtensionsAndRetryAfter() {
        services.routes.put("POST /v1/users", x -> {
            x.getResponseHeaders().add("Retry-After", "7");
            return new StubServices.Answer(409, "application/problem+json",
                    "{\"type\":\"urn:e2echat:problem:username-taken\",\"title\":\"Conflict\",\"status\":409,"
                            + "\"detail\":\"taken\",\"instance\":\"/v1/users\",\"hint\":7}");
        });
        ChatApiException e = assertThrows(ChatApiException.class, services::alice);
        assertEquals(409, e.status());
        assertEquals("username-taken", e.slug());
        assertEquals(7, e.problem().path("hint").asInt());
        assertEquals(Duration.ofSeconds(7), e.retryAfter());
    }

    @Test
    void anExpiredAccessTokenIsRefreshedOnceAndTheCallRepeated() {
        PublicIdentity bob = Identity.generate(1).publicIdentity();
        services.routes.put("POST /v1/auth/login", x -> json(200,
                "{\"userId\":\"u-alice\",\"accessToken\":\"tok-1\",\"refreshToken\":\"ref-1\"}"));
        services.routes.put("POST /v1/auth/refresh", x -> json(200,
                "{\"userId\":\"u-alice\",\"accessToken\":\"tok-2\",\"refreshToken\":\"ref-2\"}"));
        services.routes.put("GET /v1/users/u-bob", x -> "Bearer tok-2".equals(x.getRequestHeaders().getFirst("Authorization"))
                ? json(200, user("u-bob", bob)) : problem(401, "unauthorized"));
        ChatClient alice = services.alice();
        assertEquals(bob, alice.currentIdentity("u-bob"));
        List<String> calls = services.authorizations;
        assertEquals(List.of("GET /v1/users/u-bob Bearer tok-1", "POST /v1/auth/refresh null",
                "GET /v1/users/u-bob Bearer tok-2"), calls.subList(calls.size() - 3, calls.size()));
        services.routes.put("GET /v1/users/u-carol", x -> problem(401, "unauthorized"));
        ChatApiException refused = assertThrows(ChatApiException.class, () -> alice.currentIdentity("u-carol"));
        assertEquals(401, refused.status(), "refreshed once, then the 401 stands");
        assertEquals(2, calls.stream().filter(a -> a.startsWith("POST /v1/auth/refresh")).count());
        alice.close();
    }
}
