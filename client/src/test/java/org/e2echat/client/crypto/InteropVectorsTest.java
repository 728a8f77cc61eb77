package org.e2echat.client.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.bouncycastle.util.encoders.Hex;
import org.e2echat.contracts.identity.IdentityEncoding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK against vectors made by an independent Python implementation of docs/crypto.md
 * (client/src/test/python): every canonical byte string must match, and what Python sealed and
 * signed must open and verify here.
 */
class InteropVectorsTest {

    private static JsonNode v;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = InteropVectorsTest.class.getResourceAsStream("/test-vectors/e2echat-v1-interop.json")) {
            v = new ObjectMapper().readTree(in);
        }
    }

    private static byte[] hex(JsonNode node, String name) {
        return Hex.decode(node.get(name).asText());
    }

    private static Identity identity(String who) {
        JsonNode n = v.get(who);
        return Identity.fromPrivateKeys(new PrivateKeyMaterial(IdentityEncoding.SUITE_V1, n.get("keyVersion").asInt(),
                hex(n, "signingPrivateKey"), hex(n, "kemPrivateKey")));
    }

    @Test
    void plaintextNestingIsCountedAsThePythonReaderCountsIt() {
        JsonNode nesting = v.get("plaintextNesting");
        assertEquals(32, nesting.get("maxDepth").asInt());
        assertEquals(List.of(32, 33, 34), StreamSupport.stream(nesting.get("cases").spliterator(), false)
                .map(c -> c.get("depth").asInt()).toList());
        for (JsonNode c : nesting.get("cases")) {
            byte[] plaintext = hex(c, "plaintext");
            if (c.get("valid").asBoolean()) {
                assertDoesNotThrow(() -> MessageContent.fromJsonBytes(plaintext), "depth " + c.get("depth"));
            } else {
                assertThrows(MalformedDataException.class, () -> MessageContent.fromJsonBytes(plaintext),
                        "depth " + c.get("depth"));
            }
        }
    }

    @Test
    void suiteConstant() {
        assertEquals(IdentityEncoding.SUITE_V1, v.get("suite").asText());
    }

    @Test
    void identitiesAndTheirEncodings() throws CryptoException {
        for (String who : new String[] {"alice", "bob"}) {
            JsonNode n = v.get(who);
            PublicIdentity p = identity(who).publicIdentity().verify();
            assertArrayEquals(hex(n, "signingPublicKey"), p.signingPublicKey(), who);
            assertArrayEquals(hex(n, "kemPublicKey"), p.kemPublicKey(), who);
            assertArrayEquals(hex(n, "kemKeySignatureInput"),
                    IdentityEncoding.kemKeySignatureInput(p.suite(), p.signingPublicKey(), p.kemPublicKey()), who);
            assertArrayEquals(hex(n, "kemKeySignature"), p.kemKeySignature(), who);
            assertEquals(n.get("fingerprint").asText(), p.fingerprintHex(), who);
            assertEquals(n.get("fingerprintDigits").asText(), p.fingerprintDigits(), who);
        }
        PublicIdentity alice = identity("alice").publicIdentity();
        PublicIdentity bob = identity("bob").publicIdentity();
        assertEquals(v.get("safetyNumber").asText(), alice.safetyNumber(bob));
        assertEquals(v.get("safetyNumber").asText(), bob.safetyNumber(alice));
    }

    @Test
    void envelopeEncodingsMatchAndThePythonEnvelopeUnwraps() throws CryptoException {
        JsonNode e = v.get("envelope");
        String sessionId = e.get("sessionId").asText();
        long epoch = e.get("epoch").asLong();
        String sender = e.get("senderUserId").asText();
        String recipient = e.get("recipientUserId").asText();
        Identity bob = identity("bob");
        Identity alice = identity("alice");
        assertEquals(e.get("recipientKeyVersion").asInt(), bob.keyVersion());
        assertEquals(e.get("senderKeyVersion").asInt(), alice.keyVersion());

        assertArrayEquals(hex(e, "info"), Envelopes.info(sessionId, epoch));
        assertArrayEquals(hex(e, "aad"), Envelopes.aad(sessionId, epoch, recipient, bob.keyVersion()));
        assertArrayEquals(hex(e, "signatureInput"), Envelopes.signatureInput(IdentityEncoding.SUITE_V1, sessionId,
                epoch, recipient, bob.keyVersion(), sender, alice.keyVersion(), hex(e, "enc"), hex(e, "ciphertext")));
        assertArrayEquals(hex(e, "signature"), alice.sign(hex(e, "signatureInput")));

        Envelope envelope = new Envelope(IdentityEncoding.SUITE_V1, sessionId, epoch, recipient, bob.keyVersion(),
                sender, alice.keyVersion(), hex(e, "enc"), hex(e, "ciphertext"), hex(e, "signature"));
        assertArrayEquals(hex(e, "sessionKey"),
                Envelopes.unwrap(envelope, sessionId, epoch, recipient, bob, sender, alice.publicIdentity()));
    }

    @Test
    void messageEncodingsMatchAndThePythonMessageDecrypts() throws CryptoException {
        JsonNode m = v.get("message");
        String sessionId = m.get("sessionId").asText();
        long epoch = m.get("epoch").asLong();
        String senderId = m.get("senderId").asText();
        UUID id = UUID.fromString(m.get("clientMessageId").asText());
        Identity alice = identity("alice");
        MessageContent content = new MessageContent(m.get("type").asText(), m.get("text").asText());

        byte[] header = Messages.header(Messages.FORMAT_VERSION, sessionId, epoch, senderId, id);
        assertArrayEquals(hex(m, "header"), header);
        assertArrayEquals(hex(m, "plaintext"), content.toJsonBytes());
        assertArrayEquals(hex(m, "ciphertext"), AesGcm.seal(hex(m, "epochKey"), hex(m, "nonce"), header,
                hex(m, "plaintext")));
        assertArrayEquals(hex(m, "signatureInput"), Messages.signatureInput(header, hex(m, "nonce"),
                hex(m, "ciphertext")));
        assertArrayEquals(hex(m, "signature"), alice.sign(hex(m, "signatureInput")));

        EncryptedMessage message = new EncryptedMessage(IdentityEncoding.SUITE_V1, Messages.FORMAT_VERSION, sessionId,
                epoch, senderId, m.get("senderKeyVersion").asInt(), id, hex(m, "nonce"), hex(m, "ciphertext"),
                hex(m, "signature"));
        assertEquals(content, Messages.decrypt(message, sessionId, hex(m, "epochKey"), alice.publicIdentity()));
    }

    @Test
    void thePythonKeyFileOpensWithTheDecomposedPassphrase() throws CryptoException {
        JsonNode k = v.get("keyAtRest");
        byte[] derived = KeyAtRest.deriveKey(k.get("passphrase").asText().toCharArray(), hex(k, "salt"),
                k.get("memoryKiB").asInt(), k.get("iterations").asInt(), k.get("parallelism").asInt());
        assertArrayEquals(hex(k, "derivedKey"), derived);

        PrivateKeyMaterial keys = KeyAtRest.open(hex(k, "sealed"), k.get("passphrase").asText().toCharArray());
        assertArrayEquals(hex(k, "privateKeysPlaintext"), keys.encode());
        assertEquals(identity("alice").publicIdentity(), Identity.fromPrivateKeys(keys).publicIdentity());
    }
}
