package org.e2echat.gateway.api;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.e2echat.contracts.frames.Frames;
import org.e2echat.gateway.domain.ConnectionRegistry;

/**
 * Closes each connection with 1008 ({@code token expired}) once the token it was opened with
 * expires: one sweep over the registry every {@link #SWEEP_MILLIS} rather than a timer per
 * connection (a timer is three objects on the heap for the socket's lifetime; token expiry has
 * one-second resolution anyway). A connection is closed within a second after its token's expiry.
 */
@ApplicationScoped
public class TokenExpiry {

    static final long SWEEP_MILLIS = 1000;

    private final ConnectionRegistry registry;

    public TokenExpiry(ConnectionRegistry registry) {
        this.registry = registry;
    }

    void start(@Observes StartupEvent event, Vertx vertx) {
        vertx.setPeriodic(SWEEP_MILLIS, id -> registry.closeExpired(System.currentTimeMillis(),
                Frames.CloseCodes.POLICY, Frames.CloseCodes.TOKEN_EXPIRED));
    }
}
