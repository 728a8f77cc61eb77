package org.e2echat.client.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.e2echat.client.crypto.CryptoException;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.PublicIdentity;

/**
 * The contact directory: looks users up in user-service, verifies each public identity it is
 * given (the KEM key's signature; the fingerprint is computed here, never taken from the server)
 * and checks it against the pins ({@link TofuStore}) before anything is wrapped to or trusted from it.
 */
final class Contacts {

    private final Endpoints endpoints;
    private final Transport transport;
    private final OwnIdentities own;
    private final String userId;
    private final TofuStore tofu = new TofuStore();
    /** (userId, keyVersion) → verified, pinned public identity. */
    private final Map<String, PublicIdentity> verified = new ConcurrentHashMap<>();

    Contacts(Endpoints endpoints, Transport transport, OwnIdentities own, String userId) {
        this.endpoints = endpoints;
        this.transport = transport;
        this.own = own;
        this.userId = userId;
    }

    TofuStore tofu() {
        return tofu;
    }

    /** The id of the user with this exact username (case-insensitive), or a 404 ChatApiException. */
    String userIdOf(String username) {
        return transport.call("GET", endpoints.userService(), "/v1/users/by-username/" + Transport.encode(username),
                null, true).path("id").asText();
    }

    /** The username of a user id (for telling people who is meant). */
    String usernameOf(String user) {
        return transport.call("GET", endpoints.userService(), "/v1/users/" + Transport.encode(user), null, true)
                .path("username").asText(user);
    }

    /**
     * The verified and pinned public identity of {@code user} at its current key version (ours
     * for this user).
     *
     * @throws IdentityChangedException it differs from the pin
     */
    PublicIdentity current(String user) {
        if (user.equals(userId)) {
            return own.current().publicIdentity();
        }
        JsonNode response = transport.call("GET", endpoints.userService(), "/v1/users/" + Transport.encode(user), null,
                true);
        JsonNode key = response.path("currentKey");
        if (key.isMissingNode() || key.isNull()) {
            throw new IllegalStateException("user " + user + " has no usable key (revoked or expired)");
        }
        return trusted(user, key);
    }

    /** The verified and pinned public identity of {@code user} at {@code keyVersion} (for checking old signatures). */
    PublicIdentity at(String user, int keyVersion) {
        PublicIdentity cached = verified.get(user + "/" + keyVersion);
        if (cached != null) {
            return cached;
        }
        JsonNode keys = transport.call("GET", endpoints.userService(), "/v1/users/" + Transport.encode(user) + "/keys",
                null, true);
        for (JsonNode key : keys.path("keys")) {
            if (key.path("version").asInt() == keyVersion) {
                return trusted(user, key);
            }
        }
        throw new IllegalStateException("user " + user + " has no key version " + keyVersion);
    }

    /** The identity that signed as {@code sender} at {@code keyVersion}: one of ours, or a pinned contact's. */
    PublicIdentity signer(String sender, int keyVersion) {
        Identity mine = sender.equals(userId) ? own.at(keyVersion) : null;
        return mine != null ? mine.publicIdentity() : at(sender, keyVersion);
    }

    private PublicIdentity trusted(String user, JsonNode key) {
        PublicIdentity pub;
        try {
            pub = PublicIdentity.fromBase64(key.path("suite").asText(), key.path("version").asInt(),
                    key.path("signingPublicKey").asText(), key.path("kemPublicKey").asText(),
                    key.path("kemKeySignature").asText()).verify();
        } catch (CryptoException e) {
            throw new IllegalStateException("user-service returned an invalid identity for " + user, e);
        }
        tofu.check(user, pub.keyVersion(), pub.fingerprintHex());
        verified.put(user + "/" + pub.keyVersion(), pub);
        return pub;
    }
}
