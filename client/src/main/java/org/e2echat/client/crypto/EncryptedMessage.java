package org.e2echat.client.crypto;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;

/**
 * A message as it travels and is stored: the header values in clear (the server routes and
 * checks them), the AES-256-GCM nonce and ciphertext, and the sender's Ed25519 signature.
 */
public final class EncryptedMessage {

    private final String suite;
    private final int formatVersion;
    private final String sessionId;
    private final long epoch;
    private final String senderId;
    private final int senderKeyVersion;
    private final UUID clientMessageId;
    private final byte[] nonce;
    private final byte[] ciphertext;
    private final byte[] signature;

    public EncryptedMessage(String suite, int formatVersion, String sessionId, long epoch, String senderId,
                            int senderKeyVersion, UUID clientMessageId, byte[] nonce, byte[] ciphertext,
                            byte[] signature) {
        this.suite = Objects.requireNonNull(suite, "suite");
        this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
        this.senderId = Objects.requireNonNull(senderId, "senderId");
        this.clientMessageId = Objects.requireNonNull(clientMessageId, "clientMessageId");
        if (formatVersion < 0 || formatVersion > 0xff || epoch < 0 || senderKeyVersion < 0) {
            throw new IllegalArgumentException("formatVersion is a uint8; epoch and key version are unsigned");
        }
        this.formatVersion = formatVersion;
        this.epoch = epoch;
        this.senderKeyVersion = senderKeyVersion;
        this.nonce = Objects.requireNonNull(nonce, "nonce").clone();
        this.ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
        this.signature = Objects.requireNonNull(signature, "signature").clone();
    }

    /** Builds a message from the base64 (standard, padded) values an API returns. */
    public static EncryptedMessage fromBase64(String suite, int formatVersion, String sessionId, long epoch,
                                              String senderId, int senderKeyVersion, String clientMessageId,
                                              String nonce, String ciphertext, String signature)
            throws MalformedDataException {
        try {
            UUID id = UUID.fromString(clientMessageId);
            if (!id.toString().equals(clientMessageId.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("clientMessageId is not a canonical UUID");
            }
            return new EncryptedMessage(suite, formatVersion, sessionId, epoch, senderId, senderKeyVersion, id,
                    PublicIdentity.decode(nonce), PublicIdentity.decode(ciphertext), PublicIdentity.decode(signature));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedDataException("malformed message: " + e.getMessage(), e);
        }
    }

    public String suite() {
        return suite;
    }

    public int formatVersion() {
        return formatVersion;
    }

    public String sessionId() {
        return sessionId;
    }

    public long epoch() {
        return epoch;
    }

    public String senderId() {
        return senderId;
    }

    public int senderKeyVersion() {
        return senderKeyVersion;
    }

    public UUID clientMessageId() {
        return clientMessageId;
    }

    /** 12 bytes. */
    public byte[] nonce() {
        return nonce.clone();
    }

    /** AES-256-GCM ciphertext with the 16-byte tag appended. */
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    /** 64 bytes. */
    public byte[] signature() {
        return signature.clone();
    }

    public String nonceBase64() {
        return Base64.getEncoder().encodeToString(nonce);
    }

    public String ciphertextBase64() {
        return Base64.getEncoder().encodeToString(ciphertext);
    }

    public String signatureBase64() {
        return Base64.getEncoder().encodeToString(signature);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EncryptedMessage)) {
            return false;
        }
        EncryptedMessage m = (EncryptedMessage) o;
        return formatVersion == m.formatVersion && epoch == m.epoch && senderKeyVersion == m.senderKeyVersion
                && suite.equals(m.suite) && sessionId.equals(m.sessionId) && senderId.equals(m.senderId)
                && clientMessageId.equals(m.clientMessageId) && Arrays.equals(nonce, m.nonce)
                && Arrays.equals(ciphertext, m.ciphertext) && Arrays.equals(signature, m.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sessionId, epoch, senderId, clientMessageId, Arrays.hashCode(nonce));
    }

    @Override
    public String toString() {
        return "EncryptedMessage[session=" + sessionId + ", epoch=" + epoch + ", sender=" + senderId + "@v"
                + senderKeyVersion + ", clientMessageId=" + clientMessageId + ", " + ciphertext.length + " bytes]";
    }
}
