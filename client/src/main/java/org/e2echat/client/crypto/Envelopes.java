package org.e2echat.client.crypto;

import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.e2echat.contracts.identity.IdentityEncoding;

/**
 * Wrapping and unwrapping session keys: HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256),
 * HKDF-SHA256, AES-256-GCM, with info and aad binding the session, epoch and recipient key, and an
 * Ed25519 signature by the wrapping member over everything.
 *
 * <pre>
 * info      = "e2echat/envelope/v1" || 0x00 || field(sessionId) || uint64 epoch
 * aad       = field(sessionId) || uint64 epoch || field(recipientUserId) || uint32 recipientKeyVersion
 * signed    = "e2echat/envelope-sig/v1" || 0x00 || field(suite) || field(sessionId) || uint64 epoch
 *             || field(recipientUserId) || uint32 recipientKeyVersion || field(senderUserId)
 *             || uint32 senderKeyVersion || field(enc) || field(ciphertext)
 * </pre>
 */
public final class Envelopes {

    static final String INFO_LABEL = "e2echat/envelope/v1";
    static final String SIGNATURE_LABEL = "e2echat/envelope-sig/v1";
    static final int ENC_BYTES = 32;
    static final int CIPHERTEXT_BYTES = SessionKeys.KEY_BYTES + AesGcm.TAG_BYTES;

    private Envelopes() {
    }

    /**
     * Wraps {@code sessionKey} for one recipient. The recipient's KEM key is used only after its
     * signature by the recipient's signing key verifies, so a server cannot substitute a KEM key
     * under a signing key the caller has pinned.
     */
    public static Envelope wrap(byte[] sessionKey, String sessionId, long epoch, String recipientUserId,
                                PublicIdentity recipient, String senderUserId, Identity sender) throws CryptoException {
        PublicIdentity.requireLength(sessionKey, SessionKeys.KEY_BYTES, "sessionKey");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(recipientUserId, "recipientUserId");
        Objects.requireNonNull(senderUserId, "senderUserId");
        recipient.verify();
        byte[][] sealed = hpkeSeal(recipient.kemPublicKey(), info(sessionId, epoch),
                aad(sessionId, epoch, recipientUserId, recipient.keyVersion()), sessionKey);
        byte[] ciphertext = sealed[0];
        byte[] enc = sealed[1];
        byte[] signature = sender.sign(signatureInput(IdentityEncoding.SUITE_V1, sessionId, epoch, recipientUserId,
                recipient.keyVersion(), senderUserId, sender.keyVersion(), enc, ciphertext));
        return new Envelope(IdentityEncoding.SUITE_V1, sessionId, epoch, recipientUserId, recipient.keyVersion(),
                senderUserId, sender.keyVersion(), enc, ciphertext, signature);
    }

    /**
     * Unwraps the session key of {@code sessionId} at {@code epoch} for {@code recipientUserId},
     * checking it was wrapped by {@code senderUserId} holding {@code sender}. Every value is the
     * caller's expectation, never taken from the envelope, so an envelope moved to another session,
     * epoch, recipient or key version fails.
     *
     * @throws ContextMismatchException the envelope names another context than expected
     * @throws InvalidSignatureException the wrapping member's signature does not verify
     * @throws DecryptionException HPKE cannot open it (wrong key, or altered enc/ciphertext/context)
     * @throws MalformedDataException unsupported suite or wrong sizes
     */
    public static byte[] unwrap(Envelope envelope, String sessionId, long epoch, String recipientUserId,
                                Identity recipient, String senderUserId, PublicIdentity sender) throws CryptoException {
        if (!IdentityEncoding.SUITE_V1.equals(envelope.suite()) || !IdentityEncoding.SUITE_V1.equals(sender.suite())) {
            throw new MalformedDataException("unsupported suite: " + envelope.suite());
        }
        byte[] enc = envelope.enc();
        byte[] ciphertext = envelope.ciphertext();
        if (enc.length != ENC_BYTES || ciphertext.length != CIPHERTEXT_BYTES
                || envelope.signature().length != IdentityEncoding.SIGNATURE_BYTES) {
            throw new MalformedDataException("envelope values have the wrong sizes");
        }
        expectSame("sessionId", sessionId, envelope.sessionId());
        expectSame("epoch", epoch, envelope.epoch());
        expectSame("recipientUserId", recipientUserId, envelope.recipientUserId());
        expectSame("recipientKeyVersion", recipient.keyVersion(), envelope.recipientKeyVersion());
        expectSame("senderUserId", senderUserId, envelope.senderUserId());
        expectSame("senderKeyVersion", sender.keyVersion(), envelope.senderKeyVersion());

        byte[] signed = signatureInput(IdentityEncoding.SUITE_V1, sessionId, epoch, recipientUserId,
                recipient.keyVersion(), senderUserId, sender.keyVersion(), enc, ciphertext);
        if (!Ed25519.verify(sender.signingPublicKey(), signed, envelope.signature())) {
            throw new InvalidSignatureException("envelope signature does not verify under the sender's signing key");
        }
        byte[] kemPrivate = recipient.kemPrivateKeyBytes();
        try {
            byte[] sessionKey = hpkeOpen(enc, ciphertext, kemPrivate, recipient.publicIdentity().kemPublicKey(),
                    info(sessionId, epoch), aad(sessionId, epoch, recipientUserId, recipient.keyVersion()));
            if (sessionKey.length != SessionKeys.KEY_BYTES) {
                Arrays.fill(sessionKey, (byte) 0);
                throw new MalformedDataException("wrapped session key is not 32 bytes");
            }
            return sessionKey;
        } finally {
            Arrays.fill(kemPrivate, (byte) 0);
        }
    }

    static byte[] info(String sessionId, long epoch) {
        return Canonical.label(INFO_LABEL).field(sessionId).u64(epoch).toByteArray();
    }

    static byte[] aad(String sessionId, long epoch, String recipientUserId, int recipientKeyVersion) {
        // No label: the HPKE info (which has one) already separates this use of the key.
        return Canonical.unlabelled().field(sessionId).u64(epoch).field(recipientUserId)
                .u32(recipientKeyVersion).toByteArray();
    }

    static byte[] signatureInput(String suite, String sessionId, long epoch, String recipientUserId,
                                 int recipientKeyVersion, String senderUserId, int senderKeyVersion,
                                 byte[] enc, byte[] ciphertext) {
        return Canonical.label(SIGNATURE_LABEL).field(suite).field(sessionId).u64(epoch).field(recipientUserId)
                .u32(recipientKeyVersion).field(senderUserId).u32(senderKeyVersion).field(enc).field(ciphertext)
                .toByteArray();
    }

    /** A fresh HPKE object per call: BouncyCastle's DHKEM keeps agreement state and is not thread-safe. */
    static HPKE hpke() {
        return new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM256);
    }

    /** Returns {ciphertext, enc}, the order BouncyCastle's seal uses. */
    static byte[][] hpkeSeal(byte[] recipientKemPublic, byte[] info, byte[] aad, byte[] plaintext) {
        HPKE hpke = hpke();
        try {
            return hpke.seal(hpke.deserializePublicKey(recipientKemPublic), info, aad, plaintext, null, null, null);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("HPKE sealing cannot fail", e);
        }
    }

    static byte[] hpkeOpen(byte[] enc, byte[] ciphertext, byte[] kemPrivate, byte[] kemPublic, byte[] info, byte[] aad)
            throws DecryptionException {
        HPKE hpke = hpke();
        AsymmetricCipherKeyPair recipientKeys = hpke.deserializePrivateKey(kemPrivate, kemPublic);
        try {
            return hpke.open(enc, recipientKeys, info, aad, ciphertext, null, null, null);
        } catch (InvalidCipherTextException e) {
            throw new DecryptionException("HPKE open failed: not for this key, or enc, ciphertext or context altered", e);
        } catch (RuntimeException e) {
            // X25519 with a small-order enc yields an all-zero secret, which BouncyCastle refuses with a runtime exception.
            throw new DecryptionException("HPKE open failed: invalid encapsulated key", e);
        }
    }

    private static void expectSame(String what, Object expected, Object actual) throws ContextMismatchException {
        if (!expected.equals(actual)) {
            throw new ContextMismatchException("envelope " + what + " is " + actual + ", expected " + expected);
        }
    }
}
