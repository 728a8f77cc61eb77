package org.e2echat.client.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 9180 Appendix A.1.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode). The
 * RFC prints no vector with AES-256-GCM; this one exercises the same KEM, KDF and key schedule
 * code in BouncyCastle, and AES-256-GCM itself is checked against NIST vectors elsewhere.
 */
class HpkeRfc9180VectorTest {

    private static JsonNode vector;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = HpkeRfc9180VectorTest.class.getResourceAsStream("/test-vectors/hpke-rfc9180-a1-base.json")) {
            vector = new ObjectMapper().readTree(in).get("vector");
        }
    }

    private static byte[] hex(String field) {
        return Hex.decode(vector.get(field).asText());
    }

    private static HPKE hpke() {
        return new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);
    }

    @Test
    void theFileIsTheSuiteThisTestAssumes() {
        assertEquals(HPKE.mode_base, vector.get("mode").asInt());
        assertEquals(HPKE.kem_X25519_SHA256, vector.get("kem_id").asInt());
        assertEquals(HPKE.kdf_HKDF_SHA256, vector.get("kdf_id").asInt());
        assertEquals(HPKE.aead_AES_GCM128, vector.get("aead_id").asInt());
        assertEquals(6, vector.get("encryptions").size());
    }

    @Test
    void deriveKeyPairGivesTheRfcKeys() {
        HPKE hpke = hpke();
        AsymmetricCipherKeyPair e = hpke.deriveKeyPair(hex("ikmE"));
        AsymmetricCipherKeyPair r = hpke.deriveKeyPair(hex("ikmR"));
        assertArrayEquals(hex("pkEm"), hpke.serializePublicKey(e.getPublic()));
        assertArrayEquals(hex("pkRm"), hpke.serializePublicKey(r.getPublic()));
        // RFC 9180 section 7.1.2: SerializePrivateKey() MUST clamp X25519 keys; the appendix prints them unclamped.
        assertArrayEquals(clamp(hex("skEm")), hpke.serializePrivateKey(e.getPrivate()));
        assertArrayEquals(clamp(hex("skRm")), hpke.serializePrivateKey(r.getPrivate()));
    }

    @Test
    void theUnclampedRfcPrivateKeysDeserializeToTheRfcPublicKeys() {
        HPKE hpke = hpke();
        assertArrayEquals(hex("pkEm"),
                hpke.serializePublicKey(hpke.deserializePrivateKey(hex("skEm"), null).getPublic()));
        assertArrayEquals(hex("pkRm"),
                hpke.serializePublicKey(hpke.deserializePrivateKey(hex("skRm"), null).getPublic()));
    }

    /** decodeScalar25519's bit operations (RFC 7748 section 5). */
    private static byte[] clamp(byte[] k) {
        byte[] c = k.clone();
        c[0] &= (byte) 248;
        c[31] &= 127;
        c[31] |= 64;
        return c;
    }

    @Test
    void senderWithTheRfcEphemeralKeyProducesTheRfcEncAndCiphertexts() throws InvalidCipherTextException {
        HPKE hpke = hpke();
        AsymmetricCipherKeyPair e = hpke.deriveKeyPair(hex("ikmE"));
        AsymmetricCipherKeyPair r = hpke.deriveKeyPair(hex("ikmR"));
        HPKEContextWithEncapsulation sender = hpke.setupBaseS(r.getPublic(), hex("info"), e);
        assertArrayEquals(hex("enc"), sender.getEncapsulation());

        Map<Integer, JsonNode> bySeq = encryptionsBySeq();
        int last = bySeq.keySet().stream().max(Integer::compare).orElseThrow();
        int checked = 0;
        for (int seq = 0; seq <= last; seq++) {
            JsonNode enc = bySeq.get(seq);
            if (enc == null) {
                sender.seal(new byte[0], new byte[0]); // advances the sequence number like a real message
                continue;
            }
            byte[] ct = sender.seal(Hex.decode(enc.get("aad").asText()), Hex.decode(enc.get("pt").asText()));
            assertArrayEquals(Hex.decode(enc.get("ct").asText()), ct, "ciphertext at seq " + seq);
            checked++;
        }
        assertEquals(6, checked);
    }

    @Test
    void receiverFromTheSerializedKeysOpensTheRfcCiphertexts() throws InvalidCipherTextException {
        HPKE hpke = hpke();
        AsymmetricCipherKeyPair r = hpke.deserializePrivateKey(hex("skRm"), hex("pkRm"));
        HPKEContext receiver = hpke.setupBaseR(hex("enc"), r, hex("info"));

        Map<Integer, JsonNode> bySeq = encryptionsBySeq();
        int last = bySeq.keySet().stream().max(Integer::compare).orElseThrow();
        for (int seq = 0; seq <= last; seq++) {
            JsonNode enc = bySeq.get(seq);
            if (enc == null) {
                receiver.seal(new byte[0], new byte[0]); // same key and counter on both sides
                continue;
            }
            byte[] pt = receiver.open(Hex.decode(enc.get("aad").asText()), Hex.decode(enc.get("ct").asText()));
            assertArrayEquals(Hex.decode(enc.get("pt").asText()), pt, "plaintext at seq " + seq);
        }
    }

    @Test
    void singleShotOpenOfTheFirstEncryptionAndItsTamperedCopy() throws InvalidCipherTextException {
        HPKE hpke = hpke();
        AsymmetricCipherKeyPair r = hpke.deserializePrivateKey(hex("skRm"), hex("pkRm"));
        JsonNode first = vector.get("encryptions").get(0);
        assertEquals(0, first.get("seq").asInt());
        byte[] aad = Hex.decode(first.get("aad").asText());
        byte[] ct = Hex.decode(first.get("ct").asText());
        byte[] pt = hpke.open(hex("enc"), r, hex("info"), aad, ct, null, null, null);
        assertArrayEquals(Hex.decode(first.get("pt").asText()), pt);

        byte[] otherAad = aad.clone();
        otherAad[otherAad.length - 1] ^= 1;
        assertThrows(InvalidCipherTextException.class,
                () -> hpke().open(hex("enc"), r, hex("info"), otherAad, ct, null, null, null));
        byte[] otherInfo = hex("info");
        otherInfo[0] ^= 1;
        assertThrows(InvalidCipherTextException.class,
                () -> hpke().open(hex("enc"), r, otherInfo, aad, ct, null, null, null));
    }

    @Test
    void theRfcNoncesAreBaseNonceXorSeq() {
        // A check on the file itself: the listed nonces follow RFC 9180 section 5.2 from base_nonce.
        byte[] base = hex("base_nonce");
        for (JsonNode enc : vector.get("encryptions")) {
            long seq = enc.get("seq").asLong();
            byte[] expected = base.clone();
            for (int i = 0; i < 8; i++) {
                expected[expected.length - 1 - i] ^= (byte) (seq >>> (8 * i));
            }
            assertArrayEquals(expected, Hex.decode(enc.get("nonce").asText()), "nonce at seq " + seq);
        }
        assertTrue(vector.get("encryptions").size() > 0);
    }

    private static Map<Integer, JsonNode> encryptionsBySeq() {
        Map<Integer, JsonNode> bySeq = new HashMap<>();
        for (JsonNode enc : vector.get("encryptions")) {
            bySeq.put(enc.get("seq").asInt(), enc);
        }
        return bySeq;
    }
}
