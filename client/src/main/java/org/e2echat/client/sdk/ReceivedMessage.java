package org.e2echat.client.sdk;

import java.time.Instant;

/**
 * A stored message with the server's routing metadata: verified and decrypted ({@code type} and
 * {@code text} set, {@code unreadable} null), or one that could not be ({@code unreadable} says
 * why; {@code type} and {@code text} are null). An unreadable message still holds its seq, so the
 * messages around it are shown and nothing after it is hidden.
 */
public record ReceivedMessage(String messageId, String sessionId, long seq, long epoch, String senderId,
                              String senderUsername, String senderDisplayName, String type, String text,
                              Instant serverTime, Unreadable unreadable) {

    /** Why a message cannot be shown. */
    public enum Unreadable {
        /** The signature does not verify under the sender's key, the sender's key is unknown, or it claims another session. */
        NOT_VERIFIED("could not be verified"),
        /** Verified, but the ciphertext does not decrypt under the epoch key. */
        NOT_DECRYPTED("could not be decrypted"),
        /** Decrypted, but the plaintext is not a valid message document (crypto.md §7), or the stored fields are malformed. */
        NOT_VALID("is not a valid message"),
        /** This account holds no key for the message's epoch. */
        NO_KEY("was sent under a key this account does not hold");

        private final String description;

        Unreadable(String description) {
            this.description = description;
        }

        /** For people: "could not be verified". */
        public String description() {
            return description;
        }
    }

    /** A readable message. */
    public ReceivedMessage(String messageId, String sessionId, long seq, long epoch, String senderId,
            String senderUsername, String senderDisplayName, String type, String text, Instant serverTime) {
        this(messageId, sessionId, seq, epoch, senderId, senderUsername, senderDisplayName, type, text, serverTime,
                null);
    }

    /** Whether this message was verified and decrypted. */
    public boolean readable() {
        return unreadable == null;
    }

    /** Leaves the plaintext out, so that logging a message never logs its content. */
    @Override
    public String toString() {
        return "ReceivedMessage[messageId=" + messageId + ", sessionId=" + sessionId + ", seq=" + seq + ", epoch="
                + epoch + ", senderId=" + senderId + ", type=" + type + ", text=<redacted>"
                + (unreadable == null ? "" : ", unreadable=" + unreadable) + "]";
    }
}
