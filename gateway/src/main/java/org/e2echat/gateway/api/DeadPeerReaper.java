package org.e2echat.gateway.api;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.TimeUnit;
import org.e2echat.contracts.frames.Frames;
import org.e2echat.gateway.config.GatewayConfig;
import org.e2echat.gateway.domain.ConnectionRegistry;
import org.jboss.logging.Logger;

/**
 * Closes connections whose peer is gone without closing TCP (a phone that lost its network, a
 * crashed laptop): the server pings every heartbeat and a live client answers with a pong, so a
 * connection that has sent nothing for {@code missedHeartbeatsBeforeClose} heartbeats is closed
 * with 1001 and stops taking fan-out writes. A client that was merely slow reconnects and catches up.
 */
@ApplicationScoped
public class DeadPeerReaper {

    private static final Logger LOG = Logger.getLogger(DeadPeerReaper.class);

    private final ConnectionRegistry registry;
    private final GatewayConfig config;

    public DeadPeerReaper(ConnectionRegistry registry, GatewayConfig config) {
        this.registry = registry;
        this.config = config;
    }

    void start(@Observes StartupEvent event, Vertx vertx) {
        vertx.setPeriodic(TimeUnit.SECONDS.toMillis(config.heartbeatSeconds()), id -> sweep());
    }

    /** One sweep with the configured allowance; what the periodic timer runs. */
    void sweep() {
        long allowance = TimeUnit.SECONDS.toNanos((long) config.heartbeatSeconds() * config.missedHeartbeatsBeforeClose());
        reapSilentSince(System.nanoTime() - allowance);
    }

    /** Closes every connection silent since {@code cutoffNanos} ({@link System#nanoTime()} scale). */
    public int reapSilentSince(long cutoffNanos) {
        int reaped = registry.reapSilentSince(cutoffNanos, Frames.CloseCodes.GOING_AWAY,
                "no pong for " + config.missedHeartbeatsBeforeClose() + " heartbeats; reconnect and catch up");
        if (reaped > 0) {
            LOG.infof("closed %d connection(s) whose peer stopped answering heartbeats", reaped);
        }
        return reaped;
    }
}
