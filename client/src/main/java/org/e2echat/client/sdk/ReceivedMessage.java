package org.e2echat.client.sdk;

import java.time.Instant;

/** A message that was verified and decrypted, with the server's routing metadata. */
public record ReceivedMessage(String messageId, String sessionId, long seq, long epoch, String senderId,
                              String senderUsername, String senderDisplayName, String type, String text,
                              Instant serverTime) {

    /** Leaves the plaintext out, so that logging a message never logs its content. */
    @Override
    public String toString() {
        return "ReceivedMessage[messageId=" + messageId + ", sessionId=" + sessionId + ", seq=" + seq + ", epoch="
                + epoch + ", senderId=" + senderId + ", type=" + type + ", text=<redacted>]";
    }
}
