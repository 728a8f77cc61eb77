package org.e2echat.client.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.e2echat.client.crypto.CryptoException;
import org.e2echat.client.crypto.Envelope;
import org.e2echat.client.crypto.Envelopes;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.PublicIdentity;
import org.e2echat.client.crypto.SessionKeys;

/**
 * Sessions and their keys: creates sessions and rotations with a fresh epoch key wrapped (HPKE)
 * for every member's pinned identity, and opens this user's own envelopes into the epoch keys it
 * holds in memory only (protocol.md, creating and rotating).
 */
final class Sessions {

    private static final int MAX_ROTATION_ATTEMPTS = 5;

    private final Endpoints endpoints;
    private final Transport transport;
    private final OwnIdentities own;
    private final Contacts contacts;
    private final String userId;
    /** (sessionId, epoch) → epoch key; only in memory. */
    private final Map<String, Map<Long, byte[]>> epochKeys = new ConcurrentHashMap<>();
    private final Map<String, Long> currentEpochs = new ConcurrentHashMap<>();

    Sessions(Endpoints endpoints, Transport transport, OwnIdentities own, Contacts contacts, String userId) {
        this.endpoints = endpoints;
        this.transport = transport;
        this.own = own;
        this.contacts = contacts;
        this.userId = userId;
    }

    /** GetSessions: the first page of this user's sessions, most recently active first. */
    JsonNode list() {
        return transport.call("GET", endpoints.sessionService(), "/v1/sessions?size=100", null, true);
    }

    /** The session as this (current) member sees it. */
    JsonNode get(String sessionId) {
        return transport.call("GET", endpoints.sessionService(), "/v1/sessions/" + Transport.encode(sessionId), null,
                true);
    }

    /**
     * Creates a session, retrying while a member is not yet known to session-service ({@code 422
     * unknown-member}, documented while registrations propagate) until {@code patience} has passed.
     */
    String create(String type, List<String> memberIds, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return createOnce(type, memberIds);
            } catch (ChatApiException e) {
                if (!e.is(422, "unknown-member") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    private String createOnce(String type, List<String> memberIds) {
        // the client chooses the session id, because every epoch-1 envelope binds it (crypto.md §5)
        String sessionId = UUID.randomUUID().toString();
        List<String> everyone = new ArrayList<>();
        everyone.add(userId);
        everyone.addAll(memberIds);
        Map<String, PublicIdentity> keys = new HashMap<>();
        for (String member : everyone) {
            keys.put(member, contacts.current(member));
        }
        byte[] key = SessionKeys.newSessionKey();
        ObjectNode body = transport.json().createObjectNode().put("sessionId", sessionId).put("type", type);
        ArrayNode members = body.putArray("members");
        memberIds.forEach(m -> members.addObject().put("userId", m).put("role", "MEMBER"));
        body.set("envelopes", envelopes(key, sessionId, 1, keys));
        JsonNode session;
        try {
            session = transport.call("POST", endpoints.sessionService(), "/v1/sessions", body, true);
        } catch (RuntimeException e) {
            Arrays.fill(key, (byte) 0);
            throw e;
        }
        String id = session.path("id").asText();
        long epoch = session.path("currentEpoch").asLong(1);
        if (!id.equals(sessionId)) {
            // 200: the direct session exists; its envelopes were not replaced, so the key made here
            // is discarded and the session's current key comes from this user's own envelope
            Arrays.fill(key, (byte) 0);
            epochKey(id, epoch);
            currentEpochs.put(id, epoch);
            return id;
        }
        keysOf(sessionId).put(epoch, key);
        currentEpochs.put(sessionId, epoch);
        return sessionId;
    }

    private ArrayNode envelopes(byte[] key, String sessionId, long epoch, Map<String, PublicIdentity> recipients) {
        ArrayNode out = transport.json().createArrayNode();
        Identity signer = own.current();
        for (Map.Entry<String, PublicIdentity> r : recipients.entrySet()) {
            Envelope e;
            try {
                e = Envelopes.wrap(key, sessionId, epoch, r.getKey(), r.getValue(), userId, signer);
            } catch (CryptoException ex) {
                throw new IllegalStateException("cannot wrap for " + r.getKey(), ex);
            }
            out.addObject().put("recipientId", e.recipientUserId()).put("recipientKeyVersion", e.recipientKeyVersion())
                    .put("senderKeyVersion", e.senderKeyVersion()).put("suite", e.suite())
                    .put("enc", e.encBase64()).put("ciphertext", e.ciphertextBase64())
                    .put("signature", e.signatureBase64());
        }
        return out;
    }

    /**
     * Rotates, adding {@code adding} (protocol.md, rotating). If another member's rotation wins
     * ({@code 409 stale-epoch}), that epoch's key is fetched from this user's envelope instead; on
     * {@code recipient-mismatch} it starts again.
     *
     * @return the session's epoch afterwards
     */
    long rotate(String sessionId, List<String> adding) {
        for (int attempt = 1; ; attempt++) {
            JsonNode session = get(sessionId);
            long epoch = session.path("currentEpoch").asLong();
            Map<String, PublicIdentity> keys = new HashMap<>();
            for (JsonNode m : session.path("members")) {
                if (m.path("active").asBoolean(true)) {
                    String member = m.path("userId").asText();
                    keys.put(member, contacts.current(member));
                }
            }
            for (String added : adding) {
                keys.put(added, contacts.current(added));
            }
            byte[] key = SessionKeys.newSessionKey();
            ObjectNode body = transport.json().createObjectNode().put("epoch", epoch + 1);
            ArrayNode add = body.putArray("addMembers");
            adding.forEach(m -> add.addObject().put("userId", m).put("role", "MEMBER"));
            body.set("envelopes", envelopes(key, sessionId, epoch + 1, keys));
            try {
                JsonNode rotated = transport.call("POST", endpoints.sessionService(), "/v1/sessions/"
                        + Transport.encode(sessionId) + "/rotations", body, true);
                long now = rotated.path("currentEpoch").asLong(epoch + 1);
                keysOf(sessionId).put(now, key);
                currentEpochs.put(sessionId, now);
                return now;
            } catch (ChatApiException e) {
                Arrays.fill(key, (byte) 0);
                if (e.is(409, "stale-epoch") && adding.isEmpty()) {
                    long current = e.problem().path("currentEpoch").asLong(epoch + 1);
                    epochKey(sessionId, current);
                    currentEpochs.put(sessionId, current);
                    return current;
                }
                if (!e.is(409, "recipient-mismatch") || attempt >= MAX_ROTATION_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    void removeMember(String sessionId, String memberId) {
        transport.call("DELETE", endpoints.sessionService(), "/v1/sessions/" + Transport.encode(sessionId)
                + "/members/" + Transport.encode(memberId), null, true);
    }

    /** The epoch new messages are sent at, as last learned (asked of the server the first time). */
    long currentEpoch(String sessionId) {
        return currentEpochs.computeIfAbsent(sessionId, s -> get(s).path("currentEpoch").asLong());
    }

    void currentEpoch(String sessionId, long epoch) {
        currentEpochs.put(sessionId, epoch);
    }

    private Map<Long, byte[]> keysOf(String sessionId) {
        return epochKeys.computeIfAbsent(sessionId, s -> new ConcurrentHashMap<>());
    }

    /**
     * This user's key for an epoch: from memory, else from its own envelope, verified against the
     * wrapping member's pinned identity and unwrapped.
     */
    byte[] epochKey(String sessionId, long epoch) {
        byte[] known = keysOf(sessionId).get(epoch);
        if (known != null) {
            return known;
        }
        JsonNode list = transport.call("GET", endpoints.sessionService(), "/v1/sessions/" + Transport.encode(sessionId)
                + "/envelopes?epoch=" + epoch, null, true);
        for (JsonNode e : list) {
            if (e.path("epoch").asLong() == epoch && userId.equals(e.path("recipientId").asText())) {
                return unwrapOwn(e, sessionId, epoch);
            }
        }
        throw new IllegalStateException("no envelope for epoch " + epoch);
    }

    /** Fetches every envelope of this user's membership and unwraps each; the epochs held, ascending. */
    List<Long> unwrapOwnEnvelopes(String sessionId) {
        JsonNode list = transport.call("GET", endpoints.sessionService(), "/v1/sessions/" + Transport.encode(sessionId)
                + "/envelopes", null, true);
        List<Long> epochs = new ArrayList<>();
        for (JsonNode e : list) {
            long epoch = e.path("epoch").asLong();
            if (userId.equals(e.path("recipientId").asText())) {
                if (!keysOf(sessionId).containsKey(epoch)) {
                    unwrapOwn(e, sessionId, epoch);
                }
                epochs.add(epoch);
            }
        }
        epochs.sort(null);
        return epochs;
    }

    /** Verifies one of this user's envelopes against the wrapping member's pinned identity and unwraps it. */
    private byte[] unwrapOwn(JsonNode e, String sessionId, long epoch) {
        String sender = e.path("senderId").asText();
        int senderVersion = e.path("senderKeyVersion").asInt();
        PublicIdentity senderKey = contacts.signer(sender, senderVersion);
        Identity mine = own.at(e.path("recipientKeyVersion").asInt());
        if (mine == null) {
            throw new IllegalStateException("no private key for identity version " + e.path("recipientKeyVersion").asInt());
        }
        try {
            Envelope envelope = Envelope.fromBase64(e.path("suite").asText(), e.path("sessionId").asText(),
                    epoch, e.path("recipientId").asText(), e.path("recipientKeyVersion").asInt(), sender,
                    senderVersion, e.path("enc").asText(), e.path("ciphertext").asText(),
                    e.path("signature").asText());
            byte[] key = Envelopes.unwrap(envelope, sessionId, epoch, userId, mine, sender, senderKey);
            keysOf(sessionId).put(epoch, key);
            return key;
        } catch (CryptoException ex) {
            throw new IllegalStateException("own envelope for epoch " + epoch + " does not open", ex);
        }
    }

    /** Copies of every epoch key held (package-private: for this package's tests only). */
    List<byte[]> heldKeys() {
        List<byte[]> out = new ArrayList<>();
        epochKeys.values().forEach(m -> m.values().forEach(k -> out.add(k.clone())));
        return out;
    }

    /** Wipes every epoch key held. */
    void wipe() {
        epochKeys.values().forEach(m -> m.values().forEach(k -> Arrays.fill(k, (byte) 0)));
        epochKeys.clear();
    }
}
