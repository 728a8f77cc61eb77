package org.e2echat.contracts.events;

import java.time.Instant;
import java.util.List;

/**
 * Payloads of the events message-service publishes to {@code chat.messages} (key = sessionId),
 * each in an {@link EventEnvelope}. Byte fields are standard padded base64; the server never
 * holds anything that decrypts them.
 */
public final class MessageEvents {

    public static final int VERSION = 1;

    private MessageEvents() {
    }

    /** A message was stored with {@code seq}; {@code recipients} are the members at send time. */
    public record MessageStored(String messageId, String sessionId, long seq, int epoch, String senderId,
            String senderUsername, String senderDisplayName, int senderKeyVersion, String suite,
            String clientMessageId, String nonce, String ciphertext, String signature, Instant clientTime,
            Instant serverTime, List<String> recipients) {
        public static final String TYPE = "MessageStored";
    }
}
