package org.e2echat.contracts.frames;

import java.time.Instant;
import java.util.Map;

/**
 * The JSON frames of the WebSocket protocol ({@code /ws}, subprotocol {@code chat.v1}). Every
 * frame has a {@code type}. Server to client: hello, message, session, ack, error, pong. Client to
 * server: send, ping. Schemas: {@code schemas/frames.schema.json}.
 */
public final class Frames {

    public static final String SUBPROTOCOL = "chat.v1";

    private Frames() {
    }

    /** First frame on every connection. */
    public record Hello(String type, String userId, String connectionId, Instant serverTime, int heartbeatSeconds) {
        public static Hello of(String userId, String connectionId, Instant now, int heartbeatSeconds) {
            return new Hello("hello", userId, connectionId, now, heartbeatSeconds);
        }
    }

    /** A stored message for the connection's user: the MessageStored fields without the recipient list. */
    public record MessageFrame(String type, Map<String, Object> message) {
    }

    /** A session event for the connection's user: its event type, id and payload without the recipient list. */
    public record SessionFrame(String type, String event, String eventId, Map<String, Object> payload) {
    }

    /** The answer to a send frame that was stored. */
    public record Ack(String type, String clientMessageId, String sessionId, String messageId, long seq, int epoch) {
        public static Ack of(String clientMessageId, String sessionId, String messageId, long seq, int epoch) {
            return new Ack("ack", clientMessageId, sessionId, messageId, seq, epoch);
        }
    }

    /** A refused frame: the same problem fields as REST, and the client message id when it was a send. */
    public record ErrorFrame(String type, String clientMessageId, Map<String, Object> problem) {
        public static ErrorFrame of(String clientMessageId, Map<String, Object> problem) {
            return new ErrorFrame("error", clientMessageId, problem);
        }
    }

    public record Pong(String type, Instant serverTime) {
        public static Pong now() {
            return new Pong("pong", Instant.now());
        }
    }

    /** Client to server: the REST send body plus the session id. */
    public record Send(String type, String sessionId, String clientMessageId, Integer epoch, String suite, String nonce,
            String ciphertext, String signature, Instant clientTime, Integer formatVersion, Integer senderKeyVersion) {
    }

    /** WebSocket close codes the gateway uses. */
    public static final class CloseCodes {
        /** The server is shutting down or restarting: reconnect (elsewhere) and catch up. */
        public static final int GOING_AWAY = 1001;
        /** Policy: token expired, account deleted, origin refused, too many connections, rate limit abuse. */
        public static final int POLICY = 1008;
        /** A frame larger than the limit. */
        public static final int TOO_BIG = 1009;
        /** The connection fell too far behind (outbound queue full): reconnect and catch up. */
        public static final int TRY_AGAIN_LATER = 1013;

        /** Close reason with {@link #POLICY}: the access token expired; refresh it and reconnect. */
        public static final String TOKEN_EXPIRED = "token expired";
        /** Close reason with {@link #POLICY}: the account was deleted; do not reconnect. */
        public static final String ACCOUNT_DELETED = "account deleted";

        private CloseCodes() {
        }
    }
}
