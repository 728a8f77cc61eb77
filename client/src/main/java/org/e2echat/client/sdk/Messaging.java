package org.e2echat.client.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.e2echat.client.crypto.ContextMismatchException;
import org.e2echat.client.crypto.CryptoException;
import org.e2echat.client.crypto.DecryptionException;
import org.e2echat.client.crypto.EncryptedMessage;
import org.e2echat.client.crypto.InvalidSignatureException;
import org.e2echat.client.crypto.MalformedDataException;
import org.e2echat.client.crypto.MessageContent;
import org.e2echat.client.crypto.Messages;
import org.e2echat.client.crypto.PublicIdentity;
import org.e2echat.client.sdk.ReceivedMessage.Unreadable;

/**
 * Sending and reading messages: encrypts and sends (repeating a send whose outcome is unknown),
 * verifies and decrypts what the server holds into one deduped, seq-ordered {@link Timeline} per
 * session, catches up by paging, and repairs a timeline the server's history contradicts. A
 * message that cannot be verified, decrypted or read is kept as {@link ReceivedMessage#unreadable()}
 * at its seq: it never hides the messages around it.
 */
final class Messaging {

    private static final int PAGE_SIZE = 200;
    /** Seqs below {@code lastSeq} that catch-up reads again, to compare them with the server's. */
    static final int CATCH_UP_OVERLAP = 20;
    /** Repairs one catch-up makes before it gives up on a server whose history keeps changing. */
    private static final int MAX_REPAIRS = 3;

    private final Endpoints endpoints;
    private final Transport transport;
    private final OwnIdentities own;
    private final Contacts contacts;
    private final Sessions sessions;
    private final String userId;
    private final Listeners listeners;
    private final Map<String, Timeline> timelines = new ConcurrentHashMap<>();
    private volatile Duration sendRetryWindow = Duration.ofMinutes(2);

    Messaging(Endpoints endpoints, Transport transport, OwnIdentities own, Contacts contacts, Sessions sessions,
            String userId, Listeners listeners) {
        this.endpoints = endpoints;
        this.transport = transport;
        this.own = own;
        this.contacts = contacts;
        this.sessions = sessions;
        this.userId = userId;
        this.listeners = listeners;
    }

    // ---------------------------------------------------------------- sending

    /** Encrypts and sends a text message at the session's current epoch; see {@link ChatClient#send}. */
    long send(String sessionId, String text) {
        UUID clientMessageId = UUID.randomUUID();
        long epoch = sessions.currentEpoch(sessionId);
        for (int attempt = 1; ; attempt++) {
            byte[] key = sessions.epochKey(sessionId, epoch);
            EncryptedMessage m = Messages.encrypt(key, sessionId, epoch, userId, clientMessageId,
                    MessageContent.text(text), own.current());
            ObjectNode body = transport.json().createObjectNode().put("clientMessageId", clientMessageId.toString())
                    .put("epoch", epoch).put("suite", m.suite()).put("nonce", m.nonceBase64())
                    .put("ciphertext", m.ciphertextBase64()).put("signature", m.signatureBase64())
                    .put("clientTime", Instant.now().toString()).put("formatVersion", m.formatVersion())
                    .put("senderKeyVersion", m.senderKeyVersion());
            try {
                return sendUntilAnswered(sessionId, body).path("seq").asLong();
            } catch (ChatApiException e) {
                if (e.is(409, "stale-epoch") && attempt < 3) {
                    epoch = e.problem().path("currentEpoch").asLong();
                    sessions.currentEpoch(sessionId, epoch);
                } else if (!(e.is(409, "nonce-reused") && attempt < 3)) {
                    throw e;
                }
            }
        }
    }

    /** Sends one message body, repeating it unchanged while the outcome is unknown (503 or no answer). */
    private JsonNode sendUntilAnswered(String sessionId, ObjectNode body) {
        long deadline = System.nanoTime() + sendRetryWindow.toNanos();
        long pauseMillis = 250;
        while (true) {
            long wait;
            RuntimeException failure;
            try {
                return transport.call("POST", endpoints.messageService(), "/v1/sessions/" + Transport.encode(sessionId)
                        + "/messages", body, true);
            } catch (ChatApiException e) {
                if (e.status() != 503) {
                    throw e;
                }
                failure = e;
                wait = e.retryAfter() != null ? Math.min(e.retryAfter().toMillis(), 10_000) : pauseMillis;
            } catch (UncheckedIOException e) {
                failure = e;
                wait = pauseMillis;
            }
            if (System.nanoTime() + wait * 1_000_000 > deadline) {
                throw failure;
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure;
            }
            pauseMillis = Math.min(pauseMillis * 2, 5_000);
        }
    }

    void sendRetryWindow(Duration window) {
        this.sendRetryWindow = window;
    }

    // ---------------------------------------------------------------- reading

    Timeline timeline(String sessionId) {
        return timelines.computeIfAbsent(sessionId, s -> new Timeline());
    }

    /** The sessions this client holds a timeline for (what a reconnect catches up). */
    List<String> followed() {
        return List.copyOf(timelines.keySet());
    }

    /** A {@code message} frame from the gateway: pages a gap first, then takes the message. */
    void onLive(JsonNode m) {
        String sessionId = m.path("sessionId").asText();
        if (timeline(sessionId).gapBefore(m.path("seq").asLong())) {
            catchUp(sessionId);
        }
        accept(m, sessionId);
    }

    /** Catch-up (protocol.md): pages after the last seq held, with an overlap that detects a changed history. */
    int catchUp(String sessionId) {
        Timeline timeline = timeline(sessionId);
        int added = 0;
        int repairs = 0;
        long after = Math.max(0, timeline.lastSeq() - CATCH_UP_OVERLAP);
        while (true) {
            JsonNode page = page(sessionId, "after=" + after);
            long highest = after;
            boolean repaired = false;
            for (JsonNode m : page.path("messages")) {
                Accepted outcome = accept(m, sessionId);
                added += outcome.added();
                if (outcome.repaired()) {
                    repaired = true;
                    break;
                }
                highest = Math.max(highest, m.path("seq").asLong());
            }
            if (repaired) {
                // the repair read the server's history to its end; carry on after it
                if (++repairs > MAX_REPAIRS) {
                    throw new IllegalStateException("session " + sessionId + " history keeps changing on the server");
                }
                after = timeline.lastSeq();
                continue;
            }
            // this page answered every visible message in (after, highest]; after <= lastSeq
            timeline.caughtUpTo(highest);
            if (!page.path("hasMore").asBoolean(false) || page.path("messages").size() == 0) {
                return added;
            }
            after = highest;
        }
    }

    /** Scrollback: the whole visible history, opened, in seq order; repairs a timeline it contradicts. */
    List<ReceivedMessage> readAll(String sessionId) {
        List<ReceivedMessage> out = readFrom(sessionId, 0);
        Timeline timeline = timeline(sessionId);
        long from = Long.MAX_VALUE;
        for (ReceivedMessage m : out) {
            OptionalLong conflict = timeline.conflict(m.messageId(), m.seq());
            if (conflict.isPresent()) {
                from = Math.min(from, conflict.getAsLong());
            }
        }
        if (from != Long.MAX_VALUE) {
            long fromSeq = from;
            replace(sessionId, fromSeq, out.stream().filter(m -> m.seq() >= fromSeq).toList());
        }
        return out;
    }

    /** Every message after {@code after}, opened, paging to the end. */
    private List<ReceivedMessage> readFrom(String sessionId, long after) {
        List<ReceivedMessage> out = new ArrayList<>();
        while (true) {
            JsonNode page = page(sessionId, "after=" + after);
            for (JsonNode m : page.path("messages")) {
                out.add(open(m, sessionId));
                after = Math.max(after, m.path("seq").asLong());
            }
            if (!page.path("hasMore").asBoolean(false) || page.path("messages").size() == 0) {
                return out;
            }
        }
    }

    private JsonNode page(String sessionId, String cursor) {
        return transport.call("GET", endpoints.messageService(), "/v1/sessions/" + Transport.encode(sessionId)
                + "/messages?" + cursor + "&limit=" + PAGE_SIZE, null, true);
    }

    /** What accepting one stored message did: how many new messages it added, and whether it repaired. */
    private record Accepted(int added, boolean repaired) {
        static final Accepted KNOWN = new Accepted(0, false);
        static final Accepted NEW = new Accepted(1, false);
    }

    /**
     * Opens and records one stored message. When the server's claim contradicts the timeline (its
     * seq is held under another id, or its id under another seq), the timeline is repaired from the
     * server instead: never are two messages delivered under one seq.
     */
    private Accepted accept(JsonNode m, String sessionId) {
        Timeline timeline = timeline(sessionId);
        String messageId = m.path("messageId").asText();
        OptionalLong conflict = timeline.conflict(messageId, m.path("seq").asLong());
        if (conflict.isPresent()) {
            return new Accepted(repair(sessionId, conflict.getAsLong()), true);
        }
        if (timeline.seen(messageId)) {
            return Accepted.KNOWN;
        }
        ReceivedMessage received = open(m, sessionId);
        if (!timeline.offer(received)) {
            return Accepted.KNOWN;
        }
        listeners.each(l -> l.onMessage(received));
        return Accepted.NEW;
    }

    /**
     * Walks back from {@code conflictSeq} to the highest seq on which the server and the timeline
     * still agree, re-reads everything after it, and replaces the timeline from there.
     *
     * @return the number of messages new to this client
     */
    private int repair(String sessionId, long conflictSeq) {
        long from = divergence(sessionId, conflictSeq);
        return replace(sessionId, from, readFrom(sessionId, from - 1));
    }

    /**
     * The lowest seq of the run of disagreement ending at {@code conflictSeq}: pages back with
     * {@code before=} until a seq where the server and the timeline hold the same message, or
     * below the first seq the timeline holds (nothing there to disagree with).
     */
    private long divergence(String sessionId, long conflictSeq) {
        Timeline timeline = timeline(sessionId);
        long lowestHeld = timeline.firstSeq().orElse(conflictSeq);
        long from = conflictSeq;
        long before = conflictSeq;
        while (before > lowestHeld) {
            JsonNode page = page(sessionId, "before=" + before);
            JsonNode messages = page.path("messages");
            for (JsonNode m : messages) { // descending
                long seq = m.path("seq").asLong();
                if (seq < lowestHeld || timeline.holds(seq, m.path("messageId").asText())) {
                    return from;
                }
                from = seq;
            }
            if (!page.path("hasMore").asBoolean(false) || messages.size() == 0) {
                return from;
            }
            before = from;
        }
        return from;
    }

    /** Puts the server's complete answer from {@code fromSeq} on into the timeline and tells the listeners. */
    private int replace(String sessionId, long fromSeq, List<ReceivedMessage> server) {
        int fresh = timeline(sessionId).replaceFrom(fromSeq, server).size();
        listeners.each(l -> l.onTimelineRepaired(sessionId, fromSeq));
        for (ReceivedMessage m : server) {
            listeners.each(l -> l.onMessage(m));
        }
        return fresh;
    }

    /**
     * Verifies and decrypts one stored message against the sender's pinned identity. What cannot
     * be verified, decrypted or read becomes an unreadable message at its seq; a message claiming
     * another session than the one read cannot be verified. A contact's changed key
     * ({@link IdentityChangedException}) and server errors other than "not found" are thrown: the
     * first needs the person's decision, the second says nothing about the message.
     */
    ReceivedMessage open(JsonNode m, String expectedSessionId) {
        String sessionId = m.path("sessionId").asText();
        String messageId = m.path("messageId").asText();
        long epoch = m.path("epoch").asLong();
        String sender = m.path("senderId").asText();
        int senderVersion = m.path("senderKeyVersion").asInt();
        Unreadable problem;
        MessageContent content = null;
        try {
            EncryptedMessage encrypted = EncryptedMessage.fromBase64(m.path("suite").asText(),
                    m.path("formatVersion").asInt(Messages.FORMAT_VERSION), sessionId, epoch, sender, senderVersion,
                    m.path("clientMessageId").asText(), m.path("nonce").asText(), m.path("ciphertext").asText(),
                    m.path("signature").asText());
            PublicIdentity senderKey = signerOrNull(sender, senderVersion);
            byte[] key = senderKey == null ? null : keyOrNull(expectedSessionId, epoch);
            problem = senderKey == null ? Unreadable.NOT_VERIFIED : key == null ? Unreadable.NO_KEY : null;
            if (problem == null) {
                content = Messages.decrypt(encrypted, expectedSessionId, key, senderKey);
            }
        } catch (InvalidSignatureException | ContextMismatchException e) {
            problem = Unreadable.NOT_VERIFIED;
        } catch (DecryptionException e) {
            problem = Unreadable.NOT_DECRYPTED;
        } catch (MalformedDataException e) {
            problem = Unreadable.NOT_VALID;
        } catch (CryptoException e) {
            problem = Unreadable.NOT_VERIFIED;
        }
        return new ReceivedMessage(messageId, sessionId, m.path("seq").asLong(), epoch, sender,
                m.path("senderUsername").asText(null), m.path("senderDisplayName").asText(null),
                content == null ? null : content.type(), content == null ? null : content.text(),
                m.hasNonNull("serverTime") ? Instant.parse(m.path("serverTime").asText()) : null, problem);
    }

    /** The sender's pinned identity at that version, or null when there is none to verify with. */
    private PublicIdentity signerOrNull(String sender, int keyVersion) {
        try {
            return contacts.signer(sender, keyVersion);
        } catch (ChatApiException e) {
            if (e.status() != 404) {
                throw e;
            }
            return null;
        } catch (IdentityChangedException e) {
            throw e;
        } catch (IllegalStateException e) {
            return null; // no such key version, or user-service answered an invalid identity
        }
    }

    /** This user's key for the epoch, or null when they hold none (no envelope, or it does not open). */
    private byte[] keyOrNull(String sessionId, long epoch) {
        try {
            return sessions.epochKey(sessionId, epoch);
        } catch (ChatApiException e) {
            if (e.status() != 404 && e.status() != 403) {
                throw e;
            }
            return null;
        } catch (IdentityChangedException e) {
            throw e;
        } catch (IllegalStateException e) {
            return null;
        }
    }
}
