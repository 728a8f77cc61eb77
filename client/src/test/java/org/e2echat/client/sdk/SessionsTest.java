package org.e2echat.client.sdk;

import static org.e2echat.client.sdk.StubServices.BODY;
import static org.e2echat.client.sdk.StubServices.json;
import static org.e2echat.client.sdk.StubServices.read;
import static org.e2echat.client.sdk.StubServices.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import org.e2echat.client.crypto.Envelope;
import org.e2echat.client.crypto.Envelopes;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.SessionKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sessions and their keys: an existing direct session's key comes from this user's envelope; close wipes keys. */
class SessionsTest {

    @RegisterExtension
    final StubServices services = new StubServices();


    @Test
    void anExistingDirectSessionsKeyComesFromTheEnvelopeNotFromTheKeyJustMade() throws Exception {
        Identity bob = Identity.generate(1);
        services.routes.put("GET /v1/users/u-bob", x -> json(200, user("u-bob", bob.publicIdentity())));
        services.keys("u-bob", bob.publicIdentity());
        ChatClient alice = services.alice();
        // bob created the direct session first: its epoch-3 key is in alice's envelope, wrapped by bob
        byte[] existingKey = SessionKeys.newSessionKey();
        Envelope mine = Envelopes.wrap(existingKey, "s-direct", 3, "u-alice", alice.publicIdentity(), "u-bob", bob);
        String[] offered = new String[1];
        services.routes.put("POST /v1/sessions", x -> {
            offered[0] = read((byte[]) x.getAttribute(BODY)).path("sessionId").asText();
            return json(200, "{\"id\":\"s-direct\",\"type\":\"DIRECT\",\"currentEpoch\":3}");
        });
        ObjectNode envelope = StubServices.JSON.createObjectNode().put("sessionId", "s-direct").put("epoch", 3)
                .put("recipientId", "u-alice").put("recipientKeyVersion", 1).put("senderId", "u-bob")
                .put("senderKeyVersion", 1).put("suite", mine.suite()).put("enc", mine.encBase64())
                .put("ciphertext", mine.ciphertextBase64()).put("signature", mine.signatureBase64());
        services.routes.put("GET /v1/sessions/s-direct/envelopes", x -> json(200, "[" + envelope + "]"));

        assertEquals("s-direct", alice.createDirect("u-bob", Duration.ofSeconds(1)));

        assertTrue(services.authorizations.stream().anyMatch(a -> a.startsWith("GET /v1/sessions/s-direct/envelopes")),
                "the envelope is fetched at once, so the existing session's key is known to open");
        List<byte[]> held = alice.sessionKeys().heldKeys();
        assertEquals(1, held.size(), "the key made for the refused create is not kept");
        assertArrayEquals(existingKey, held.get(0));
        assertArrayEquals(existingKey, alice.epochKey("s-direct", 3));
        alice.close();
        assertEquals(List.of(), alice.sessionKeys().heldKeys(), "close wipes every epoch key");
        assertTrue(!offered[0].equals("s-direct"));
    }
}
