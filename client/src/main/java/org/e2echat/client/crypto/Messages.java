package org.e2echat.client.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import org.e2echat.contracts.identity.IdentityEncoding;

/**
 * Encrypting and decrypting chat messages: AES-256-GCM under the epoch key with a random 96-bit
 * nonce and the canonical header as AAD, signed by the sender with Ed25519.
 *
 * <pre>
 * header = "e2echat/message/v1" || 0x00 || uint8 formatVersion (1) || field(sessionId) || uint64 epoch
 *          || field(senderId) || field(lower-case UUID string of clientMessageId)
 * signed = "e2echat/message-sig/v1" || 0x00 || field(header) || field(nonce) || field(ciphertext || tag)
 * </pre>
 */
public final class Messages {

    public static final int FORMAT_VERSION = 1;
    /** field(ciphertext) has a 16-bit length, and the ciphertext carries a 16-byte tag. */
    public static final int MAX_PLAINTEXT_BYTES = 0xffff - AesGcm.TAG_BYTES;

    static final String HEADER_LABEL = "e2echat/message/v1";
    static final String SIGNATURE_LABEL = "e2echat/message-sig/v1";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Messages() {
    }

    public static EncryptedMessage encrypt(byte[] epochKey, String sessionId, long epoch, String senderId,
                                           UUID clientMessageId, MessageContent content, Identity sender) {
        PublicIdentity.requireLength(epochKey, SessionKeys.KEY_BYTES, "epochKey");
        byte[] plaintext = content.toJsonBytes();
        if (plaintext.length > MAX_PLAINTEXT_BYTES) {
            throw new IllegalArgumentException("message plaintext is " + plaintext.length + " bytes; at most "
                    + MAX_PLAINTEXT_BYTES + " fit");
        }
        byte[] header = header(FORMAT_VERSION, sessionId, epoch, senderId, clientMessageId);
        byte[] nonce = new byte[AesGcm.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] ciphertext;
        try {
            ciphertext = AesGcm.seal(epochKey, nonce, header, plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
        byte[] signature = sender.sign(signatureInput(header, nonce, ciphertext));
        return new EncryptedMessage(IdentityEncoding.SUITE_V1, FORMAT_VERSION, sessionId, epoch, senderId,
                sender.keyVersion(), clientMessageId, nonce, ciphertext, signature);
    }

    /**
     * Verifies and decrypts a message read from {@code expectedSessionId}. The caller picks
     * {@code epochKey} for {@code message.epoch()} and {@code sender} for {@code message.senderId()}
     * at {@code message.senderKeyVersion()}; the header is rebuilt from those values, so a message
     * moved to another session, epoch, sender or message id fails the signature and the AAD.
     *
     * @throws ContextMismatchException the message claims another session or sender key version
     * @throws InvalidSignatureException the sender's signature does not verify
     * @throws DecryptionException the ciphertext does not open under the epoch key and header
     * @throws MalformedDataException unsupported suite/format, wrong sizes, or invalid plaintext JSON
     */
    public static MessageContent decrypt(EncryptedMessage message, String expectedSessionId, byte[] epochKey,
                                         PublicIdentity sender) throws CryptoException {
        PublicIdentity.requireLength(epochKey, SessionKeys.KEY_BYTES, "epochKey");
        if (!IdentityEncoding.SUITE_V1.equals(message.suite()) || !IdentityEncoding.SUITE_V1.equals(sender.suite())) {
            throw new MalformedDataException("unsupported suite: " + message.suite());
        }
        if (message.formatVersion() != FORMAT_VERSION) {
            throw new MalformedDataException("unsupported message format version " + message.formatVersion());
        }
        byte[] nonce = message.nonce();
        byte[] ciphertext = message.ciphertext();
        byte[] signature = message.signature();
        if (nonce.length != AesGcm.NONCE_BYTES || ciphertext.length < AesGcm.TAG_BYTES || ciphertext.length > 0xffff
                || signature.length != IdentityEncoding.SIGNATURE_BYTES) {
            throw new MalformedDataException("message values have the wrong sizes");
        }
        if (!Objects.equals(expectedSessionId, message.sessionId())) {
            throw new ContextMismatchException("message belongs to session " + message.sessionId() + ", expected "
                    + expectedSessionId);
        }
        if (sender.keyVersion() != message.senderKeyVersion()) {
            throw new ContextMismatchException("message was signed with sender key version " + message.senderKeyVersion()
                    + ", got the identity of version " + sender.keyVersion());
        }
        byte[] header = header(message.formatVersion(), message.sessionId(), message.epoch(), message.senderId(),
                message.clientMessageId());
        // Verify before decrypting: nothing unauthenticated reaches the cipher or the JSON parser.
        if (!Ed25519.verify(sender.signingPublicKey(), signatureInput(header, nonce, ciphertext), signature)) {
            throw new InvalidSignatureException("message signature does not verify under the sender's signing key");
        }
        byte[] plaintext = AesGcm.open(epochKey, nonce, header, ciphertext);
        try {
            return MessageContent.fromJsonBytes(plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    static byte[] header(int formatVersion, String sessionId, long epoch, String senderId, UUID clientMessageId) {
        return Canonical.label(HEADER_LABEL).u8(formatVersion).field(sessionId).u64(epoch).field(senderId)
                .field(clientMessageId.toString()).toByteArray();
    }

    static byte[] signatureInput(byte[] header, byte[] nonce, byte[] ciphertext) {
        return Canonical.label(SIGNATURE_LABEL).field(header).field(nonce).field(ciphertext).toByteArray();
    }
}
