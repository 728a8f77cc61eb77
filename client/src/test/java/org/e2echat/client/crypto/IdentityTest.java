package org.e2echat.client.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.util.encoders.Hex;
import org.e2echat.contracts.identity.IdentityEncoding;
import org.junit.jupiter.api.Test;

class IdentityTest {

    private final Identity alice = Identity.generate(1);
    private final Identity bob = Identity.generate(1);

    @Test
    void generatedIdentityHasTheSuiteSizesAndAVerifyingKemKeySignature() throws CryptoException {
        PublicIdentity p = alice.publicIdentity();
        assertEquals(IdentityEncoding.SUITE_V1, p.suite());
        assertEquals(1, p.keyVersion());
        assertEquals(32, p.signingPublicKey().length);
        assertEquals(32, p.kemPublicKey().length);
        assertEquals(64, p.kemKeySignature().length);
        p.verify();

        // Checked again with BouncyCastle directly, over the shared IdentityEncoding input.
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(p.signingPublicKey(), 0));
        byte[] input = IdentityEncoding.kemKeySignatureInput(IdentityEncoding.SUITE_V1, p.signingPublicKey(),
                p.kemPublicKey());
        verifier.update(input, 0, input.length);
        assertTrue(verifier.verifySignature(p.kemKeySignature()));
    }

    @Test
    void theKemPublicKeyBelongsToTheKemPrivateKey() {
        PrivateKeyMaterial keys = alice.privateKeys();
        assertArrayEquals(new X25519PrivateKeyParameters(keys.kemPrivateKey(), 0).generatePublicKey().getEncoded(),
                alice.publicIdentity().kemPublicKey());
    }

    @Test
    void twoIdentitiesDiffer() {
        assertNotEquals(alice.publicIdentity(), bob.publicIdentity());
        assertNotEquals(alice.publicIdentity().fingerprintHex(), bob.publicIdentity().fingerprintHex());
    }

    @Test
    void aKemKeySwappedInByAServerDoesNotVerify() {
        PublicIdentity a = alice.publicIdentity();
        PublicIdentity forged = PublicIdentity.of(a.suite(), a.keyVersion(), a.signingPublicKey(),
                bob.publicIdentity().kemPublicKey(), a.kemKeySignature());
        assertThrows(InvalidSignatureException.class, forged::verify);
    }

    @Test
    void aTamperedKemKeySignatureDoesNotVerify() {
        PublicIdentity a = alice.publicIdentity();
        byte[] sig = a.kemKeySignature();
        sig[10] ^= 0x04;
        PublicIdentity forged = PublicIdentity.of(a.suite(), a.keyVersion(), a.signingPublicKey(), a.kemPublicKey(), sig);
        assertThrows(InvalidSignatureException.class, forged::verify);
    }

    @Test
    void anUnknownSuiteIsRefused() {
        PublicIdentity a = alice.publicIdentity();
        PublicIdentity other = PublicIdentity.of("X448-Ed448-v9", a.keyVersion(), a.signingPublicKey(),
                a.kemPublicKey(), a.kemKeySignature());
        assertThrows(MalformedDataException.class, other::verify);
    }

    @Test
    void rebuildingFromThePrivateKeysGivesTheSamePublicIdentity() {
        Identity again = Identity.fromPrivateKeys(alice.privateKeys());
        assertEquals(alice.publicIdentity(), again.publicIdentity());
        assertArrayEquals(alice.publicIdentity().kemKeySignature(), again.publicIdentity().kemKeySignature());
    }

    @Test
    void fingerprintDigitsAndSafetyNumberUseTheSharedEncodings() {
        PublicIdentity a = alice.publicIdentity();
        PublicIdentity b = bob.publicIdentity();
        assertArrayEquals(IdentityEncoding.fingerprint(a.suite(), a.signingPublicKey(), a.kemPublicKey()), a.fingerprint());
        assertEquals(IdentityEncoding.hex(a.fingerprint()), a.fingerprintHex());
        assertTrue(a.fingerprintDigits().matches("\\d{5}( \\d{5}){5}"), a.fingerprintDigits());
        assertTrue(a.safetyNumber(b).matches("\\d{5}( \\d{5}){11}"), a.safetyNumber(b));
        assertEquals(a.safetyNumber(b), b.safetyNumber(a));
        assertTrue(a.safetyNumber(b).contains(a.fingerprintDigits()));
        assertTrue(a.safetyNumber(b).contains(b.fingerprintDigits()));
    }

    @Test
    void aRotatedKeyHasANewVersionFingerprintAndSafetyNumber() {
        Identity rotated = Identity.generate(2);
        PublicIdentity b = bob.publicIdentity();
        assertEquals(2, rotated.keyVersion());
        assertNotEquals(alice.publicIdentity().fingerprintHex(), rotated.publicIdentity().fingerprintHex());
        assertNotEquals(alice.publicIdentity().safetyNumber(b), rotated.publicIdentity().safetyNumber(b));
    }

    @Test
    void base64FormRoundTrips() throws MalformedDataException {
        PublicIdentity a = alice.publicIdentity();
        PublicIdentity parsed = PublicIdentity.fromBase64(a.suite(), a.keyVersion(), a.signingPublicKeyBase64(),
                a.kemPublicKeyBase64(), a.kemKeySignatureBase64());
        assertEquals(a, parsed);
        assertArrayEquals(a.signingPublicKey(), Base64.getDecoder().decode(a.signingPublicKeyBase64()));
    }

    @Test
    void malformedBase64OrLengthsAreMalformedData() {
        PublicIdentity a = alice.publicIdentity();
        assertThrows(MalformedDataException.class, () -> PublicIdentity.fromBase64(a.suite(), 1, "not base64!",
                a.kemPublicKeyBase64(), a.kemKeySignatureBase64()));
        assertThrows(MalformedDataException.class, () -> PublicIdentity.fromBase64(a.suite(), 1,
                Base64.getEncoder().encodeToString(new byte[31]), a.kemPublicKeyBase64(), a.kemKeySignatureBase64()));
        assertThrows(MalformedDataException.class, () -> PublicIdentity.fromBase64(a.suite(), 1,
                a.signingPublicKeyBase64(), a.kemPublicKeyBase64(), null));
    }

    @Test
    void returnedArraysAreCopies() {
        PublicIdentity a = alice.publicIdentity();
        byte[] k = a.signingPublicKey();
        k[0] ^= 1;
        assertFalse(java.util.Arrays.equals(k, a.signingPublicKey()));
    }

    @Test
    void toStringNeverShowsPrivateKeys() {
        PrivateKeyMaterial keys = alice.privateKeys();
        String[] secrets = {Hex.toHexString(keys.signingPrivateKey()), Hex.toHexString(keys.kemPrivateKey()),
            Base64.getEncoder().encodeToString(keys.signingPrivateKey()),
            Base64.getEncoder().encodeToString(keys.kemPrivateKey())};
        for (String shown : new String[] {alice.toString(), keys.toString()}) {
            for (String secret : secrets) {
                assertFalse(shown.contains(secret), shown);
            }
            assertTrue(shown.contains("redacted"), shown);
        }
    }

    @Test
    void destroyedKeyMaterialCannotBeRead() {
        PrivateKeyMaterial keys = alice.privateKeys();
        keys.destroy();
        assertTrue(keys.isDestroyed());
        assertThrows(IllegalStateException.class, keys::signingPrivateKey);
        assertThrows(IllegalStateException.class, keys::kemPrivateKey);
    }
}
