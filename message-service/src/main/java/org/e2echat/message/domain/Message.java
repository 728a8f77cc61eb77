package org.e2echat.message.domain;

import java.time.Instant;
import java.util.List;

/**
 * A stored message: ciphertext and the metadata needed to route, order and verify it, plus the
 * sender's names as of sending (so a deleted user's messages keep them). {@code bodyHash} makes
 * retries with the same client message id idempotent. Nothing else about the content exists here.
 */
public record Message(String messageId, String sessionId, long seq, int epoch, String senderId, String senderUsername,
        String senderDisplayName, int senderKeyVersion, String suite, String clientMessageId, String nonce,
        String ciphertext, String signature, Instant clientTime, Instant serverTime, List<String> recipients,
        String bodyHash) {

    public Message withSeq(long newSeq) {
        return new Message(messageId, sessionId, newSeq, epoch, senderId, senderUsername, senderDisplayName,
                senderKeyVersion, suite, clientMessageId, nonce, ciphertext, signature, clientTime, serverTime,
                recipients, bodyHash);
    }
}
