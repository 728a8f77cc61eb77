package org.e2echat.gateway.domain;

/** One live client connection as the registry sees it. */
public interface Link {

    String id();

    String userId();

    /** Queues a text frame; false when the connection's outbound queue is full. */
    boolean offer(String frame);

    void close(int code, String reason);
}
