package org.e2echat.gateway.domain;

import java.util.concurrent.CompletionStage;

/** One live client connection as the registry sees it. */
public interface Link {

    String id();

    String userId();

    /**
     * Queues a text frame, given as its UTF-8 bytes (the same array for every recipient of an
     * event; a link never changes it); false when the connection's outbound queue is over its bound.
     */
    boolean offer(byte[] frame);

    /** {@link System#nanoTime()} when the client last sent anything (a frame or a pong). */
    long lastHeardNanos();

    /** When the token the connection was opened with expires (epoch milliseconds). */
    long expiresAtMillis();

    /**
     * Starts a close handshake that ends within a bounded time (after which the transport is reset
     * and anything still queued for the peer is dropped); completes when the close frame has been
     * written or the connection is gone.
     */
    CompletionStage<Void> close(int code, String reason);
}
