package org.e2echat.session.domain;

import java.time.Instant;

/**
 * A session key of one epoch wrapped (by a client, with HPKE) for one member's identity version,
 * and signed by the member who wrapped it. Opaque to the server, which only checks its shape.
 * {@code rotationId} ties it to the rotation that produced it; only the winning rotation counts.
 */
public record Envelope(String sessionId, int epoch, String rotationId, String recipientId, int recipientKeyVersion,
        String senderId, int senderKeyVersion, String suite, String enc, String ciphertext, String signature,
        Instant createdAt) {
}
