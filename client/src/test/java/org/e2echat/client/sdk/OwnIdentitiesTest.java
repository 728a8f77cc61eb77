package org.e2echat.client.sdk;

import static org.e2echat.client.sdk.StubServices.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.e2echat.client.crypto.Identity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Own key versions: a key within the renewal window of its expiry, or past it, is renewed by the SDK itself. */
class OwnIdentitiesTest {

    private static final String PASSWORD = "long enough password";

    @RegisterExtension
    final StubServices services = new StubServices();
    private final Identity first = Identity.generate(1);

    @BeforeEach
    void start() throws Exception {
        services.routes.put("POST /v1/users/me/keys", x -> json(201, "{\"version\":2,\"status\":\"ACTIVE\"}"));
    }

    private void keyOne(String status, Instant createdAt, Instant expiresAt) {
        services.routes.put("GET /v1/users/u-alice/keys", x -> json(200, "{\"userId\":\"u-alice\",\"keys\":[{"
                + "\"version\":1,\"status\":\"" + status + "\",\"createdAt\":\"" + createdAt + "\",\"expiresAt\":"
                + (expiresAt == null ? "null" : "\"" + expiresAt + "\"") + "}]}"));
    }

    private ChatClient restore(KeyPolicy policy) {
        return ChatClient.restore(services.endpoints(), "u-alice", "alice", PASSWORD, List.of(first), policy);
    }

    @Test
    void aKeyWithinTheWindowIsRenewedAtSignInWithTheLifetimeItHad() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        keyOne("ACTIVE", now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(2)));
        ChatClient alice = restore(KeyPolicy.DEFAULT);

        KeyRenewal renewal = alice.renewalAtSignIn().orElseThrow();
        assertEquals(1, renewal.previousVersion());
        assertEquals(2, renewal.version());
        assertEquals(2, alice.publicIdentity().keyVersion(), "the new version is the one used from now on");
        assertEquals(alice.publicIdentity(), alice.ownIdentity(2).publicIdentity());
        Instant uploaded = Instant.parse(StubServices.read(services.bodies.get("POST /v1/users/me/keys").getBytes())
                .path("expiresAt").asText());
        assertTrue(Duration.between(now.plus(Duration.ofDays(32)), uploaded).abs().toMinutes() < 1,
                "the renewed key lives as long as the old one did: " + uploaded);
        assertEquals(uploaded, renewal.expiresAt());
        alice.close();
    }

    @Test
    void anExpiredKeyIsRenewedWithThePolicysLifetime() {
        Instant now = Instant.now();
        keyOne("EXPIRED", now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)));
        ChatClient alice = restore(new KeyPolicy(Duration.ofHours(10), Duration.ofHours(1)));
        assertEquals(2, alice.renewalAtSignIn().orElseThrow().version());
        Instant uploaded = alice.renewalAtSignIn().get().expiresAt();
        assertTrue(Duration.between(now.plus(Duration.ofHours(10)), uploaded).abs().toMinutes() < 1, uploaded.toString());
        alice.close();
    }

    @Test
    void aKeyOutsideTheWindowARevokedKeyAndAKeyWithoutExpiryAreLeftAlone() {
        Instant now = Instant.now();
        keyOne("ACTIVE", now, now.plus(Duration.ofDays(30)));
        ChatClient far = restore(KeyPolicy.DEFAULT);
        assertFalse(far.renewalAtSignIn().isPresent());
        assertEquals(Optional.empty(), far.renewIdentityIfDue());
        keyOne("REVOKED", now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
        assertEquals(Optional.empty(), far.renewIdentityIfDue(), "a revocation was the user's decision");
        keyOne("ACTIVE", now, null);
        assertEquals(Optional.empty(), far.renewIdentityIfDue());
        // an hour-long key 10 minutes old: the 7-day window shrinks to half its life, so not yet
        keyOne("ACTIVE", now.minus(Duration.ofMinutes(10)), now.plus(Duration.ofMinutes(50)));
        assertEquals(Optional.empty(), far.renewIdentityIfDue());
        assertFalse(services.authorizations.stream().anyMatch(a -> a.startsWith("POST /v1/users/me/keys")));
        assertEquals(1, far.publicIdentity().keyVersion());
        far.close();
    }

    @Test
    void underAManualPolicyOnlyTheApplicationRenewsAndOnlyAnExpiredKey() {
        Instant now = Instant.now();
        keyOne("ACTIVE", now.minus(Duration.ofDays(1)), now.plus(Duration.ofMinutes(1)));
        ChatClient alice = restore(KeyPolicy.MANUAL);
        assertFalse(alice.renewalAtSignIn().isPresent());
        assertEquals(Optional.empty(), alice.renewIdentityIfDue(), "not expired yet");
        keyOne("EXPIRED", now.minus(Duration.ofDays(1)), now.minus(Duration.ofMinutes(1)));
        assertEquals(2, alice.renewIdentityIfDue().orElseThrow().version());
        alice.close();
    }

    @Test
    void aPolicyWithALifetimeGivesEveryNewKeyAnExpiry() {
        services.routes.put("GET /v1/users/u-alice/keys", x -> json(200, "{\"keys\":[]}"));
        ChatClient alice = ChatClient.register(services.endpoints(), "alice", "Alice", PASSWORD,
                new KeyPolicy(Duration.ofDays(90), Duration.ofDays(7)));
        assertTrue(services.bodies.get("POST /v1/users").contains("\"expiresAt\""), services.bodies.get("POST /v1/users"));
        alice.rotateIdentity();
        assertTrue(services.bodies.get("POST /v1/users/me/keys").contains("\"expiresAt\""));
        alice.close();
    }
}
