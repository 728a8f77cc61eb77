package org.e2echat.client.crypto;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * One epoch's session key wrapped (HPKE) for one recipient key version, signed by the member who
 * wrapped it. Everything here is public: the server stores and forwards it.
 */
public final class Envelope {

    private final String suite;
    private final String sessionId;
    private final long epoch;
    private final String recipientUserId;
    private final int recipientKeyVersion;
    private final String senderUserId;
    private final int senderKeyVersion;
    private final byte[] enc;
    private final byte[] ciphertext;
    private final byte[] signature;

    public Envelope(String suite, String sessionId, long epoch, String recipientUserId, int recipientKeyVersion,
                    String senderUserId, int senderKeyVersion, byte[] enc, byte[] ciphertext, byte[] signature) {
        this.suite = Objects.requireNonNull(suite, "suite");
        this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
        this.recipientUserId = Objects.requireNonNull(recipientUserId, "recipientUserId");
        this.senderUserId = Objects.requireNonNull(senderUserId, "senderUserId");
        if (epoch < 0 || recipientKeyVersion < 0 || senderKeyVersion < 0) {
            throw new IllegalArgumentException("epoch and key versions are unsigned");
        }
        this.epoch = epoch;
        this.recipientKeyVersion = recipientKeyVersion;
        this.senderKeyVersion = senderKeyVersion;
        this.enc = Objects.requireNonNull(enc, "enc").clone();
        this.ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
        this.signature = Objects.requireNonNull(signature, "signature").clone();
    }

    /** Builds an envelope from the base64 (standard, padded) values an API returns. */
    public static Envelope fromBase64(String suite, String sessionId, long epoch, String recipientUserId,
                                      int recipientKeyVersion, String senderUserId, int senderKeyVersion,
                                      String enc, String ciphertext, String signature) throws MalformedDataException {
        try {
            return new Envelope(suite, sessionId, epoch, recipientUserId, recipientKeyVersion, senderUserId,
                    senderKeyVersion, PublicIdentity.decode(enc), PublicIdentity.decode(ciphertext),
                    PublicIdentity.decode(signature));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedDataException("malformed envelope: " + e.getMessage(), e);
        }
    }

    public String suite() {
        return suite;
    }

    public String sessionId() {
        return sessionId;
    }

    public long epoch() {
        return epoch;
    }

    public String recipientUserId() {
        return recipientUserId;
    }

    public int recipientKeyVersion() {
        return recipientKeyVersion;
    }

    public String senderUserId() {
        return senderUserId;
    }

    public int senderKeyVersion() {
        return senderKeyVersion;
    }

    /** The HPKE encapsulated key (the sender's ephemeral X25519 public key), 32 bytes. */
    public byte[] enc() {
        return enc.clone();
    }

    /** HPKE ciphertext of the 32-byte session key: 48 bytes (key + GCM tag). */
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    public byte[] signature() {
        return signature.clone();
    }

    public String encBase64() {
        return Base64.getEncoder().encodeToString(enc);
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
        if (!(o instanceof Envelope)) {
            return false;
        }
        Envelope e = (Envelope) o;
        return epoch == e.epoch && recipientKeyVersion == e.recipientKeyVersion
                && senderKeyVersion == e.senderKeyVersion && suite.equals(e.suite) && sessionId.equals(e.sessionId)
                && recipientUserId.equals(e.recipientUserId) && senderUserId.equals(e.senderUserId)
                && Arrays.equals(enc, e.enc) && Arrays.equals(ciphertext, e.ciphertext)
                && Arrays.equals(signature, e.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sessionId, epoch, recipientUserId, recipientKeyVersion, Arrays.hashCode(enc));
    }

    @Override
    public String toString() {
        return "Envelope[session=" + sessionId + ", epoch=" + epoch + ", to=" + recipientUserId + "@v"
                + recipientKeyVersion + ", from=" + senderUserId + "@v" + senderKeyVersion + "]";
    }
}
