package org.e2echat.gateway.domain;

import java.util.concurrent.CompletionStage;

/** One live client connection as the registry sees it. */
public interface Link {

    String id();

    String userId();

    /** Queues a text frame; false when the connection's outbound queue is full. */
    boolean offer(String frame);

    /** {@link System#nanoTime()} when the client last sent anything (a frame or a pong). */
    long lastHeardNanos();

    /**
     * Starts a close handshake that ends within a bounded time (after which the transport is reset
     * and anything still queued for the peer is dropped); completes when the close frame has been
     * written or the connection is gone.
     */
    CompletionStage<Void> close(int code, String reason);
}
