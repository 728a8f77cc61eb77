package org.e2echat.message.api;

import java.time.Instant;
import java.util.List;
import org.e2echat.message.domain.Message;
import org.e2echat.message.domain.MessageService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of message-service. */
public final class MessageApi {

    private MessageApi() {
    }

    @Schema(description = "An encrypted message; byte fields are standard padded base64 (see docs/crypto.md)")
    public record SendRequest(
            @Schema(description = "UUID chosen by the client; makes the send idempotent") String clientMessageId,
            @Schema(description = "the session's current epoch") Integer epoch,
            String suite,
            @Schema(description = "12 random bytes, never reused in a session and epoch") String nonce,
            @Schema(description = "AES-256-GCM output incl. tag, at most 64 KiB") String ciphertext,
            @Schema(description = "Ed25519, 64 bytes") String signature,
            @Schema(description = "the sender's clock, informational") Instant clientTime,
            @Schema(description = "optional; must equal the authenticated user") String senderId,
            @Schema(description = "optional; must equal the session in the path") String sessionId,
            @Schema(description = "optional; the message format version, 1") Integer formatVersion,
            @Schema(description = "optional; the identity version that signed, must be the sender's current one")
            Integer senderKeyVersion) {

        MessageService.Send toSend() {
            return new MessageService.Send(clientMessageId, epoch, suite, nonce, ciphertext, signature, clientTime,
                    senderId, sessionId, formatVersion, senderKeyVersion);
        }
    }

    public record SendResponse(String messageId, String sessionId, long seq, int epoch, Instant serverTime) {
        static SendResponse of(Message m) {
            return new SendResponse(m.messageId(), m.sessionId(), m.seq(), m.epoch(), m.serverTime());
        }
    }

    public record MessageResponse(String messageId, String sessionId, long seq, int formatVersion, int epoch,
            String senderId,
            @Schema(description = "the sender's username when the message was sent") String senderUsername,
            @Schema(description = "the sender's display name when the message was sent") String senderDisplayName,
            int senderKeyVersion, String suite, String clientMessageId, String nonce, String ciphertext,
            String signature, Instant clientTime, Instant serverTime) {

        static MessageResponse of(Message m) {
            return new MessageResponse(m.messageId(), m.sessionId(), m.seq(), MessageService.FORMAT_VERSION, m.epoch(),
                    m.senderId(),
                    m.senderUsername(), m.senderDisplayName(), m.senderKeyVersion(), m.suite(), m.clientMessageId(),
                    m.nonce(), m.ciphertext(), m.signature(), m.clientTime(), m.serverTime());
        }
    }

    public record MessagePage(List<MessageResponse> messages, boolean hasMore,
            @Schema(description = "pass as after= (ascending) or before= (descending) for the next page; null when none")
            Long nextCursor) {
    }
}
