package org.e2echat.client.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/** Callbacks of a {@link ChatClient}; called on the client's single event thread, one at a time. */
public interface ChatListener {

    /**
     * A new (deduped) message: verified and decrypted, or {@linkplain ReceivedMessage#readable()
     * unreadable} (then shown as such, never skipped: the messages after it still come).
     */
    default void onMessage(ReceivedMessage message) {
    }

    /**
     * The server's history of {@code sessionId} contradicted what this client had received (a seq
     * that came back with another message id, as after a store lost acknowledged messages and
     * gave their seqs to others): the SDK re-read the session from the server and replaced its
     * timeline from {@code fromSeq} on with the server's answer. Drop whatever was shown of this
     * session from {@code fromSeq} on; {@link #onMessage} follows for every message the server
     * holds there now, in seq order (ones shown before included). {@code ChatClient.messages}
     * already returns the repaired view.
     */
    default void onTimelineRepaired(String sessionId, long fromSeq) {
    }

    /** A session event frame ({@code SessionCreated}, {@code MemberRemoved}, {@code RekeyRequired}, ...). */
    default void onSessionEvent(String event, JsonNode payload) {
    }

    /** A contact's identity differs from its pin; nothing is wrapped to or trusted from it until accepted. */
    default void onIdentityChanged(IdentityChange change) {
    }

    /**
     * The SDK renewed this user's key by itself because it was about to expire (or had expired):
     * save the new version's private keys ({@code ChatClient.ownIdentity}) and tell the person.
     */
    default void onIdentityRenewed(KeyRenewal renewal) {
    }

    /** A received frame could not be processed (bad signature, unknown key, server error). */
    default void onError(Throwable error) {
    }

    /** The socket closed, with the close code (or -1 on a network error). */
    default void onClosed(int code) {
    }

    /**
     * After {@code ChatClient.stayConnected}: reconnect attempt {@code attempt} follows in
     * {@code delay}; {@code cause} is why the previous attempt failed (null for the first attempt
     * after a close, which {@link #onClosed} reported).
     */
    default void onReconnecting(int attempt, java.time.Duration delay, Throwable cause) {
    }

    /** After {@code ChatClient.stayConnected}: connected again and caught up, at attempt {@code attempt}. */
    default void onReconnected(int attempt) {
    }
}
