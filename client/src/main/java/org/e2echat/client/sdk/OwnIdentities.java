package org.e2echat.client.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.PublicIdentity;

/**
 * This user's own identity versions: the current one signs and receives new envelopes, the earlier
 * ones stay to open old envelopes and verify old signatures. Rotation and renewal upload the next
 * version; renewal does so by itself when the current key is about to expire ({@link KeyPolicy}).
 */
final class OwnIdentities {

    private final Endpoints endpoints;
    private final Transport transport;
    private final Clock clock;
    private final Map<Integer, Identity> versions = new ConcurrentHashMap<>();
    private volatile Identity current;
    private volatile KeyPolicy policy = KeyPolicy.DEFAULT;

    OwnIdentities(Endpoints endpoints, Transport transport, List<Identity> identities, Clock clock) {
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("at least one identity is needed");
        }
        this.endpoints = endpoints;
        this.transport = transport;
        this.clock = clock;
        identities.forEach(i -> versions.put(i.keyVersion(), i));
        current = identities.stream().max(Comparator.comparingInt(Identity::keyVersion)).orElseThrow();
    }

    Identity current() {
        return current;
    }

    /** Our identity at {@code keyVersion}, or null. */
    Identity at(int keyVersion) {
        return versions.get(keyVersion);
    }

    KeyPolicy policy() {
        return policy;
    }

    void policy(KeyPolicy policy) {
        this.policy = policy;
    }

    /** The {@code expiresAt} a key uploaded now gets under the policy, or null. */
    Instant expiryForNewKey() {
        return policy.lifetime() == null ? null : clock.instant().plus(policy.lifetime());
    }

    /** The upload body of a public identity (crypto.md §9). */
    ObjectNode uploadBody(PublicIdentity pub, Instant expiresAt) {
        ObjectNode body = transport.json().createObjectNode().put("suite", pub.suite())
                .put("signingPublicKey", pub.signingPublicKeyBase64()).put("kemPublicKey", pub.kemPublicKeyBase64())
                .put("kemKeySignature", pub.kemKeySignatureBase64());
        if (expiresAt != null) {
            body.put("expiresAt", expiresAt.toString());
        }
        return body;
    }

    /** Generates fresh keys and uploads them as the next version, valid until {@code expiresAt} (null: no expiry). */
    int rotate(Instant expiresAt) {
        Identity next = Identity.generate(current.keyVersion() + 1);
        JsonNode key = transport.call("POST", endpoints.userService(), "/v1/users/me/keys",
                uploadBody(next.publicIdentity(), expiresAt), true);
        if (key.path("version").asInt() != next.keyVersion()) {
            throw new IllegalStateException("user-service assigned key version " + key.path("version").asInt()
                    + ", expected " + next.keyVersion());
        }
        versions.put(next.keyVersion(), next);
        current = next;
        return next.keyVersion();
    }

    /**
     * How long before its expiry a key is renewed: the policy's window, but at most half the key's
     * lifetime, so that a short-lived key is not renewed on every sign-in.
     */
    private Duration window(Duration lifetime) {
        Duration half = lifetime == null ? null : lifetime.dividedBy(2);
        return half != null && half.compareTo(policy.renewWithin()) < 0 ? half : policy.renewWithin();
    }

    /** Revokes one version (sessions holding envelopes for it then need a rekey). */
    void revoke(int keyVersion) {
        transport.call("POST", endpoints.userService(), "/v1/users/me/keys/" + keyVersion + "/revoke", null, true);
    }

    /**
     * Renews the current key when it expires within the policy's window (at most half its
     * lifetime) or has expired already
     * (not when it was revoked: that was the user's decision). The new version gets the policy's
     * lifetime, or else the lifetime the expiring key had.
     */
    synchronized Optional<KeyRenewal> renewIfDue(String userId) {
        Identity mine = current;
        JsonNode key = null;
        JsonNode keys = transport.call("GET", endpoints.userService(), "/v1/users/" + Transport.encode(userId)
                + "/keys", null, true);
        for (JsonNode k : keys.path("keys")) {
            if (k.path("version").asInt() == mine.keyVersion()) {
                key = k;
            }
        }
        if (key == null || key.path("expiresAt").isNull() || key.path("expiresAt").isMissingNode()) {
            return Optional.empty();
        }
        String status = key.path("status").asText();
        Instant expiresAt = Instant.parse(key.path("expiresAt").asText());
        Instant now = clock.instant();
        Duration lifetime = key.hasNonNull("createdAt")
                ? Duration.between(Instant.parse(key.path("createdAt").asText()), expiresAt) : null;
        boolean due = status.equals("EXPIRED")
                || status.equals("ACTIVE") && policy.automatic() && !expiresAt.isAfter(now.plus(window(lifetime)));
        if (!due) {
            return Optional.empty();
        }
        Instant next;
        if (policy.lifetime() != null) {
            next = now.plus(policy.lifetime());
        } else if (lifetime != null) {
            next = now.plus(lifetime);
        } else {
            next = null;
        }
        int version = rotate(next);
        return Optional.of(new KeyRenewal(mine.keyVersion(), expiresAt, version, next));
    }
}
