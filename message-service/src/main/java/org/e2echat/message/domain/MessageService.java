package org.e2echat.message.domain;

import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.e2echat.common.problem.ProblemException;
import org.e2echat.common.validation.StrictBase64;
import org.e2echat.contracts.identity.IdentityEncoding;

/**
 * Sending and reading ciphertext. Sends are idempotent per (session, sender, client message id),
 * checked against session-service on every call, and numbered densely per session: a message gets
 * seq = highest stored + 1 under a unique (session, seq) index and retries on conflict, so no seq
 * is ever skipped and a reader who saw seq N never later finds a new message at or below N.
 */
public final class MessageService {

    /** The only message format so far (docs/crypto.md §6). */
    public static final int FORMAT_VERSION = 1;
    public static final int NONCE_BYTES = 12;
    public static final int SIGNATURE_BYTES = 64;
    public static final int TAG_BYTES = 16;
    private static final int MAX_SEQ_ATTEMPTS = 200;

    /** What a client sends. */
    public record Send(String clientMessageId, Integer epoch, String suite, String nonce, String ciphertext,
            String signature, Instant clientTime, String senderId, String sessionId, Integer formatVersion,
            Integer senderKeyVersion) {
    }

    /** The outcome: the stored message, and whether it was stored by an earlier identical request. */
    public record Sent(Message message, boolean replay) {
    }

    public record Page(List<Message> messages, boolean hasMore) {
    }

    /**
     * The message format's limit (crypto.md §6): the signature input holds {@code field(ciphertext)},
     * whose length is a uint16, so a longer ciphertext can never be verified by any client.
     */
    public static final int FORMAT_MAX_CIPHERTEXT_BYTES = 65_535;

    private final MessageStore store;
    private final SessionAccess sessions;
    private final Runnable published;
    private final Runnable seqRetried;
    private final int maxCiphertextBytes;
    private final int defaultPageSize;
    private final int maxPageSize;
    private final Clock clock;

    /**
     * @param published called after a new message is stored (wakes the outbox relay)
     * @param seqRetried called each time a seq was taken by a concurrent send and numbering retries
     */
    public MessageService(MessageStore store, SessionAccess sessions, Runnable published, Runnable seqRetried,
            int maxCiphertextBytes, int defaultPageSize, int maxPageSize, Clock clock) {
        this.store = store;
        this.sessions = sessions;
        this.published = published;
        this.seqRetried = seqRetried;
        if (maxCiphertextBytes < TAG_BYTES || maxCiphertextBytes > FORMAT_MAX_CIPHERTEXT_BYTES) {
            throw new IllegalArgumentException("max-ciphertext-bytes must be " + TAG_BYTES + " to "
                    + FORMAT_MAX_CIPHERTEXT_BYTES + " (the message format's limit), not " + maxCiphertextBytes);
        }
        this.maxCiphertextBytes = maxCiphertextBytes;
        this.defaultPageSize = defaultPageSize;
        this.maxPageSize = maxPageSize;
        this.clock = clock;
    }

    public Uni<Sent> send(String callerId, String bearerToken, String sessionId, Send s) {
        if (s.senderId() != null && !s.senderId().equals(callerId)) {
            throw new ProblemException(403, "sender-mismatch", "Sender mismatch",
                    "senderId must be the authenticated user (or absent).");
        }
        if (s.sessionId() != null && !s.sessionId().equals(sessionId)) {
            throw ProblemException.badRequest("invalid-message", "sessionId must be the session in the path (or absent).");
        }
        if (s.formatVersion() != null && s.formatVersion() != FORMAT_VERSION) {
            throw ProblemException.unprocessable("unsupported-format", "formatVersion must be " + FORMAT_VERSION + ".");
        }
        String clientMessageId = canonicalUuid(s.clientMessageId());
        if (s.epoch() == null || s.epoch() < 1) {
            throw ProblemException.badRequest("invalid-message", "epoch must be a positive integer.");
        }
        if (!IdentityEncoding.SUITE_V1.equals(s.suite())) {
            throw ProblemException.unprocessable("unsupported-suite", "suite must be " + IdentityEncoding.SUITE_V1 + ".");
        }
        exactLength("nonce", StrictBase64.decode("nonce", s.nonce()), NONCE_BYTES);
        exactLength("signature", StrictBase64.decode("signature", s.signature()), SIGNATURE_BYTES);
        if (s.ciphertext() != null && s.ciphertext().length() > (maxCiphertextBytes + 2) / 3 * 4 + 4) {
            throw tooLarge();
        }
        byte[] ciphertext = StrictBase64.decode("ciphertext", s.ciphertext());
        if (ciphertext.length > maxCiphertextBytes) {
            throw tooLarge();
        }
        if (ciphertext.length < TAG_BYTES) {
            throw ProblemException.badRequest("invalid-message", "ciphertext is shorter than the AES-GCM tag.");
        }
        String bodyHash = bodyHash(s, clientMessageId);
        return store.byClientId(sessionId, callerId, clientMessageId).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(replay(existing, bodyHash));
            }
            return sessions.sendPermission(bearerToken, sessionId, s.epoch()).flatMap(permission -> {
                if (s.senderKeyVersion() != null && s.senderKeyVersion() != permission.senderKeyVersion()) {
                    throw new ProblemException(409, "stale-sender-key", "Stale sender key",
                            "Sign with your current key version " + permission.senderKeyVersion() + ".",
                            Map.of("senderKeyVersion", permission.senderKeyVersion()), Map.of());
                }
                Message message = new Message(UUID.randomUUID().toString(), sessionId, 0, permission.epoch(), callerId,
                        permission.senderUsername(), permission.senderDisplayName(), permission.senderKeyVersion(),
                        s.suite(), clientMessageId, s.nonce(), s.ciphertext(), s.signature(), s.clientTime(),
                        clock.instant(), permission.recipients(), bodyHash);
                return store_(message).invoke(sent -> {
                    if (!sent.replay()) {
                        published.run();
                    }
                });
            });
        });
    }

    /** Inserts at the next seq; on a unique-index refusal works out whether it was a retry, a reused nonce or a seq race. */
    private Uni<Sent> store_(Message message) {
        return Uni.createFrom().deferred(() -> store.maxSeq(message.sessionId()).flatMap(max -> {
            Message numbered = message.withSeq(max + 1);
            return store.insert(numbered).flatMap(stored -> {
                if (stored) {
                    return Uni.createFrom().item(new Sent(numbered, false));
                }
                return store.byClientId(message.sessionId(), message.senderId(), message.clientMessageId())
                        .flatMap(existing -> {
                            if (existing != null) {
                                return Uni.createFrom().item(replay(existing, message.bodyHash()));
                            }
                            return store.nonceUsed(message.sessionId(), message.epoch(), message.nonce())
                                    .map(used -> {
                                        if (used) {
                                            throw new ProblemException(409, "nonce-reused", "Nonce reused",
                                                    "This nonce was already used in this session and epoch; "
                                                            + "encrypt again with a fresh random nonce.");
                                        }
                                        seqRetried.run();
                                        throw new SeqTaken();
                                    });
                        });
            });
        })).onFailure(SeqTaken.class).retry().withBackOff(Duration.ofMillis(1), Duration.ofMillis(20))
                .atMost(MAX_SEQ_ATTEMPTS)
                .onFailure(SeqTaken.class).transform(e -> new ProblemException(503, "busy", "Busy",
                        "The session is too busy to number this message; retry.", Map.of(),
                        Map.of("Retry-After", "1")));
    }

    public Uni<Page> page(String bearerToken, String sessionId, Long after, Long before, Integer limit) {
        if (after != null && before != null) {
            throw ProblemException.badRequest("invalid-paging", "use either after or before, not both.");
        }
        if ((after != null && after < 0) || (before != null && before < 1)) {
            throw ProblemException.badRequest("invalid-paging", "after must be >= 0 and before >= 1.");
        }
        int size = limit == null ? defaultPageSize : limit;
        if (size < 1 || size > maxPageSize) {
            throw ProblemException.badRequest("invalid-paging", "limit must be 1 to " + maxPageSize + ".");
        }
        Long from = after == null && before == null ? Long.valueOf(0) : after;
        return sessions.membership(bearerToken, sessionId).flatMap(m -> {
            MessageStore.Range range = m.active()
                    ? new MessageStore.Range(m.joinedEpoch(), null, null)
                    : new MessageStore.Range(m.joinedEpoch(), m.leftEpoch(), m.leftSeq());
            return store.page(sessionId, range, from, before, size + 1)
                    .map(found -> new Page(found.size() > size ? found.subList(0, size) : found, found.size() > size));
        });
    }

    private static Sent replay(Message existing, String bodyHash) {
        if (!existing.bodyHash().equals(bodyHash)) {
            throw new ProblemException(409, "client-message-id-reused", "Client message id reused",
                    "This client message id was already used with a different body.",
                    Map.of("messageId", existing.messageId(), "seq", existing.seq()), Map.of());
        }
        return new Sent(existing, true);
    }

    private static void exactLength(String field, byte[] value, int length) {
        if (value.length != length) {
            throw ProblemException.badRequest("invalid-message",
                    field + " must decode to " + length + " bytes, got " + value.length + ".");
        }
    }

    private static ProblemException tooLarge() {
        return new ProblemException(413, "ciphertext-too-large", "Ciphertext too large",
                "The ciphertext is larger than the limit.", Map.of(), Map.of());
    }

    private static String canonicalUuid(String value) {
        try {
            UUID uuid = UUID.fromString(value == null ? "" : value);
            if (!uuid.toString().equals(value)) {
                throw new IllegalArgumentException();
            }
            return value;
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-message",
                    "clientMessageId must be a UUID in canonical lower-case form.");
        }
    }

    private static String bodyHash(Send s, String clientMessageId) {
        String canonical = String.join("\n", clientMessageId, String.valueOf(s.epoch()), s.suite(), s.nonce(),
                s.ciphertext(), s.signature(), String.valueOf(s.clientTime()));
        try {
            return IdentityEncoding.hex(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class SeqTaken extends RuntimeException {
        SeqTaken() {
            super("seq taken", null, false, false);
        }
    }
}
