package org.e2echat.client.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.e2echat.contracts.identity.IdentityEncoding;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnvelopesTest {

    private static final String SESSION = "sess-1";
    private static final long EPOCH = 5;
    private static final String ALICE = "alice";
    private static final String BOB = "bob";
    private static final String CAROL = "carol";

    private final Identity alice = Identity.generate(1);
    private final Identity bob = Identity.generate(2);
    private final Identity carol = Identity.generate(2);
    private byte[] sessionKey;
    private Envelope envelope;

    @BeforeEach
    void wrap() throws CryptoException {
        sessionKey = SessionKeys.newSessionKey();
        envelope = Envelopes.wrap(sessionKey, SESSION, EPOCH, BOB, bob.publicIdentity(), ALICE, alice);
    }

    private byte[] unwrapAsBob(Envelope e) throws CryptoException {
        return Envelopes.unwrap(e, SESSION, EPOCH, BOB, bob, ALICE, alice.publicIdentity());
    }

    @Test
    void sessionKeysAre32FreshRandomBytes() {
        byte[] a = SessionKeys.newSessionKey();
        byte[] b = SessionKeys.newSessionKey();
        assertEquals(32, a.length);
        assertFalse(Arrays.equals(a, b));
    }

    @Test
    void theRecipientUnwrapsTheSessionKey() throws CryptoException {
        assertArrayEquals(sessionKey, unwrapAsBob(envelope));
        assertEquals(IdentityEncoding.SUITE_V1, envelope.suite());
        assertEquals(SESSION, envelope.sessionId());
        assertEquals(EPOCH, envelope.epoch());
        assertEquals(BOB, envelope.recipientUserId());
        assertEquals(2, envelope.recipientKeyVersion());
        assertEquals(ALICE, envelope.senderUserId());
        assertEquals(1, envelope.senderKeyVersion());
        assertEquals(32, envelope.enc().length);
        assertEquals(48, envelope.ciphertext().length);
        assertEquals(64, envelope.signature().length);
    }

    @Test
    void theWrappingMemberCanWrapForItself() throws CryptoException {
        Envelope own = Envelopes.wrap(sessionKey, SESSION, EPOCH, ALICE, alice.publicIdentity(), ALICE, alice);
        assertArrayEquals(sessionKey, Envelopes.unwrap(own, SESSION, EPOCH, ALICE, alice, ALICE, alice.publicIdentity()));
    }

    @Test
    void eachWrapUsesAFreshEphemeralKey() throws CryptoException {
        Envelope again = Envelopes.wrap(sessionKey, SESSION, EPOCH, BOB, bob.publicIdentity(), ALICE, alice);
        assertFalse(Arrays.equals(envelope.enc(), again.enc()));
        assertFalse(Arrays.equals(envelope.ciphertext(), again.ciphertext()));
    }

    @Test
    void base64FormRoundTrips() throws CryptoException {
        Envelope parsed = Envelope.fromBase64(envelope.suite(), SESSION, EPOCH, BOB, 2, ALICE, 1,
                envelope.encBase64(), envelope.ciphertextBase64(), envelope.signatureBase64());
        assertEquals(envelope, parsed);
        assertArrayEquals(sessionKey, unwrapAsBob(parsed));
        assertThrows(MalformedDataException.class, () -> Envelope.fromBase64(envelope.suite(), SESSION, EPOCH, BOB, 2,
                ALICE, 1, "%%%", envelope.ciphertextBase64(), envelope.signatureBase64()));
    }

    @Test
    void anotherKeyHolderCannotUnwrapEvenWhenClaimingTheRecipientsSlot() {
        // Carol holds a key of the same version and asks as if she were bob: the signature checks out
        // (it names bob@2, not key bytes) but HPKE does not open for her key.
        assertThrows(DecryptionException.class,
                () -> Envelopes.unwrap(envelope, SESSION, EPOCH, BOB, carol, ALICE, alice.publicIdentity()));
    }

    @Test
    void aReaderExpectingAnotherContextGetsAMismatch() {
        assertThrows(ContextMismatchException.class,
                () -> Envelopes.unwrap(envelope, "sess-2", EPOCH, BOB, bob, ALICE, alice.publicIdentity()));
        assertThrows(ContextMismatchException.class,
                () -> Envelopes.unwrap(envelope, SESSION, EPOCH + 1, BOB, bob, ALICE, alice.publicIdentity()));
        assertThrows(ContextMismatchException.class,
                () -> Envelopes.unwrap(envelope, SESSION, EPOCH, CAROL, carol, ALICE, alice.publicIdentity()));
        assertThrows(ContextMismatchException.class,
                () -> Envelopes.unwrap(envelope, SESSION, EPOCH, BOB, Identity.generate(3), ALICE, alice.publicIdentity()));
        assertThrows(ContextMismatchException.class,
                () -> Envelopes.unwrap(envelope, SESSION, EPOCH, BOB, bob, CAROL, alice.publicIdentity()));
        assertThrows(ContextMismatchException.class,
                () -> Envelopes.unwrap(envelope, SESSION, EPOCH, BOB, bob, ALICE, Identity.generate(9).publicIdentity()));
    }

    @Test
    void anEnvelopeRelabelledByTheServerFailsTheSignature() {
        Identity bobV3 = Identity.generate(3);
        // Every claimed value changed consistently, and the reader expects the new context.
        assertThrows(InvalidSignatureException.class, () -> Envelopes.unwrap(relabel("sess-2", EPOCH, BOB, 2),
                "sess-2", EPOCH, BOB, bob, ALICE, alice.publicIdentity()));
        assertThrows(InvalidSignatureException.class, () -> Envelopes.unwrap(relabel(SESSION, EPOCH + 1, BOB, 2),
                SESSION, EPOCH + 1, BOB, bob, ALICE, alice.publicIdentity()));
        assertThrows(InvalidSignatureException.class, () -> Envelopes.unwrap(relabel(SESSION, EPOCH, CAROL, 2),
                SESSION, EPOCH, CAROL, carol, ALICE, alice.publicIdentity()));
        assertThrows(InvalidSignatureException.class, () -> Envelopes.unwrap(relabel(SESSION, EPOCH, BOB, 3),
                SESSION, EPOCH, BOB, bobV3, ALICE, alice.publicIdentity()));
    }

    @Test
    void aMemberWhoReSignsAnotherMembersEnvelopeForAnotherContextIsStoppedByTheHpkeBinding() {
        // Carol is a member and can sign. She takes alice's enc/ciphertext and re-signs them as her own
        // for another epoch, session or recipient version; only info/aad binding can catch this.
        assertThrows(DecryptionException.class, () -> unwrapResigned(SESSION, EPOCH + 1, BOB, bob));
        assertThrows(DecryptionException.class, () -> unwrapResigned("sess-2", EPOCH, BOB, bob));
        Identity bobV3 = Identity.fromPrivateKeys(new PrivateKeyMaterial(IdentityEncoding.SUITE_V1, 3,
                bob.privateKeys().signingPrivateKey(), bob.privateKeys().kemPrivateKey()));
        assertThrows(DecryptionException.class, () -> unwrapResigned(SESSION, EPOCH, BOB, bobV3));
        // Same key bytes, another user id: the aad binds the recipient's user id too.
        assertThrows(DecryptionException.class, () -> unwrapResigned(SESSION, EPOCH, CAROL, bob));
        // Control: re-signed for the very same context it opens, so the failures above are the binding.
        assertDoesNotThrow(() -> unwrapResigned(SESSION, EPOCH, BOB, bob));
    }

    @Test
    void hpkeInfoAndAadBindEveryValue() throws DecryptionException {
        byte[] enc = envelope.enc();
        byte[] ct = envelope.ciphertext();
        byte[] sk = bob.kemPrivateKeyBytes();
        byte[] pk = bob.publicIdentity().kemPublicKey();
        byte[] info = Envelopes.info(SESSION, EPOCH);
        byte[] aad = Envelopes.aad(SESSION, EPOCH, BOB, 2);
        assertArrayEquals(sessionKey, Envelopes.hpkeOpen(enc, ct, sk, pk, info, aad));

        assertThrows(DecryptionException.class, () -> Envelopes.hpkeOpen(enc, ct, sk, pk, Envelopes.info("sess-2", EPOCH), aad));
        assertThrows(DecryptionException.class, () -> Envelopes.hpkeOpen(enc, ct, sk, pk, Envelopes.info(SESSION, 6), aad));
        assertThrows(DecryptionException.class, () -> Envelopes.hpkeOpen(enc, ct, sk, pk, info, Envelopes.aad("sess-2", EPOCH, BOB, 2)));
        assertThrows(DecryptionException.class, () -> Envelopes.hpkeOpen(enc, ct, sk, pk, info, Envelopes.aad(SESSION, 6, BOB, 2)));
        assertThrows(DecryptionException.class, () -> Envelopes.hpkeOpen(enc, ct, sk, pk, info, Envelopes.aad(SESSION, EPOCH, CAROL, 2)));
        assertThrows(DecryptionException.class, () -> Envelopes.hpkeOpen(enc, ct, sk, pk, info, Envelopes.aad(SESSION, EPOCH, BOB, 3)));
        assertThrows(DecryptionException.class, () -> Envelopes.hpkeOpen(enc, ct, carol.kemPrivateKeyBytes(),
                carol.publicIdentity().kemPublicKey(), info, aad));
    }

    @Test
    void aBadOrForeignSignatureFails() {
        byte[] sig = envelope.signature();
        sig[3] ^= 0x10;
        assertThrows(InvalidSignatureException.class, () -> unwrapAsBob(withValues(envelope.enc(), envelope.ciphertext(), sig)));
        // Signed by carol but presented as alice's.
        byte[] carolSig = carol.sign(Envelopes.signatureInput(IdentityEncoding.SUITE_V1, SESSION, EPOCH, BOB, 2, ALICE, 1,
                envelope.enc(), envelope.ciphertext()));
        assertThrows(InvalidSignatureException.class, () -> unwrapAsBob(withValues(envelope.enc(), envelope.ciphertext(), carolSig)));
    }

    @Test
    void alteredEncOrCiphertextFailsTheSignature() {
        byte[] enc = envelope.enc();
        enc[0] ^= 1;
        byte[] ct = envelope.ciphertext();
        ct[47] ^= 1;
        assertThrows(InvalidSignatureException.class, () -> unwrapAsBob(withValues(enc, envelope.ciphertext(), envelope.signature())));
        assertThrows(InvalidSignatureException.class, () -> unwrapAsBob(withValues(envelope.enc(), ct, envelope.signature())));
    }

    @Test
    void wrongSizesAndUnknownSuitesAreMalformed() {
        assertThrows(MalformedDataException.class, () -> unwrapAsBob(withValues(new byte[31], envelope.ciphertext(), envelope.signature())));
        assertThrows(MalformedDataException.class, () -> unwrapAsBob(withValues(envelope.enc(), new byte[47], envelope.signature())));
        Envelope otherSuite = new Envelope("other-suite", SESSION, EPOCH, BOB, 2, ALICE, 1, envelope.enc(),
                envelope.ciphertext(), envelope.signature());
        assertThrows(MalformedDataException.class, () -> unwrapAsBob(otherSuite));
    }

    @Test
    void wrappingRefusesARecipientKemKeyThatIsNotSignedByItsSigningKey() {
        PublicIdentity b = bob.publicIdentity();
        PublicIdentity substituted = PublicIdentity.of(b.suite(), b.keyVersion(), b.signingPublicKey(),
                carol.publicIdentity().kemPublicKey(), b.kemKeySignature());
        assertThrows(InvalidSignatureException.class,
                () -> Envelopes.wrap(sessionKey, SESSION, EPOCH, BOB, substituted, ALICE, alice));
        assertThrows(IllegalArgumentException.class,
                () -> Envelopes.wrap(new byte[16], SESSION, EPOCH, BOB, b, ALICE, alice));
    }

    private Envelope relabel(String sessionId, long epoch, String recipient, int recipientKeyVersion) {
        return new Envelope(envelope.suite(), sessionId, epoch, recipient, recipientKeyVersion, ALICE, 1,
                envelope.enc(), envelope.ciphertext(), envelope.signature());
    }

    private Envelope withValues(byte[] enc, byte[] ciphertext, byte[] signature) {
        return new Envelope(envelope.suite(), SESSION, EPOCH, BOB, 2, ALICE, 1, enc, ciphertext, signature);
    }

    private byte[] unwrapResigned(String sessionId, long epoch, String recipientUserId, Identity recipient)
            throws CryptoException {
        byte[] sig = carol.sign(Envelopes.signatureInput(IdentityEncoding.SUITE_V1, sessionId, epoch, recipientUserId,
                recipient.keyVersion(), CAROL, carol.keyVersion(), envelope.enc(), envelope.ciphertext()));
        Envelope resigned = new Envelope(envelope.suite(), sessionId, epoch, recipientUserId, recipient.keyVersion(),
                CAROL, carol.keyVersion(), envelope.enc(), envelope.ciphertext(), sig);
        return Envelopes.unwrap(resigned, sessionId, epoch, recipientUserId, recipient, CAROL, carol.publicIdentity());
    }
}
