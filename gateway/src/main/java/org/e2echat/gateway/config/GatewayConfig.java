package org.e2echat.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** Typed configuration of the gateway (message-service's URL is {@code e2echat.message-service.url}). */
@ConfigMapping(prefix = "e2echat.gateway")
public interface GatewayConfig {

    /** Browser origins allowed to connect; requests without an Origin header (native clients) are allowed. */
    @WithDefault("http://localhost:8080,http://127.0.0.1:8080,http://localhost:3000")
    List<String> allowedOrigins();

    @WithDefault("5")
    int maxConnectionsPerUser();

    /** A client frame longer than this (characters) closes the connection with 1009. */
    @WithDefault("131072")
    int maxFrameBytes();

    /**
     * Bytes of frames that may wait to be written to one connection (queued in the gateway or in
     * its socket's outbound buffer, not yet taken by the kernel); a frame that would take a
     * connection past this closes it with 1013. A frame larger than the bound still goes to a
     * connection with nothing queued.
     */
    @WithDefault("1048576")
    int outboundQueueBytes();

    /** Inbound frames per second per connection, and the burst allowed above it. */
    @WithDefault("20")
    int framesPerSecond();

    @WithDefault("40")
    int frameBurst();

    /** Rate-limit refusals after which the connection is closed with 1008. */
    @WithDefault("5")
    int violationsBeforeClose();

    /** Announced in hello; must match quarkus.websockets-next.server.auto-ping-interval. */
    @WithDefault("20")
    int heartbeatSeconds();

    /** Heartbeats a client may leave unanswered (no pong, no frame) before it is taken for dead and closed. */
    @WithDefault("3")
    int missedHeartbeatsBeforeClose();

    /**
     * How long a close the gateway starts may take: the close handshake gets this long, then the
     * TCP connection is reset and what is still buffered for the peer is dropped (a peer that
     * stopped reading never receives the close frame queued behind its unread frames).
     */
    @WithDefault("3s")
    Duration closeTimeout();
}
