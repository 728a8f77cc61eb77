package org.e2echat.gateway.security;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Arrays;
import org.e2echat.contracts.frames.Frames;
import org.e2echat.gateway.config.GatewayConfig;
import org.e2echat.gateway.events.FanOut;
import org.eclipse.microprofile.health.Readiness;

/**
 * Checks a WebSocket upgrade before anything else handles it: a browser Origin must be on the
 * allow-list (403), and a client that offers subprotocols must offer {@code chat.v1} (400) — a
 * token carrier offered alone would otherwise end in a server error. Until this instance's
 * fan-out consumer is live, and once shutdown begins, upgrades get 503 with {@code Retry-After}:
 * a client that connected and caught up earlier could miss a message written between its
 * catch-up and the consumer's start, and one that connects while the instance stops would only be
 * cut off again. All answer problem+json.
 */
@ApplicationScoped
public class UpgradeGuard {

    void install(@Observes Router router, GatewayConfig config, @Readiness FanOut fanOut) {
        router.route("/ws").order(-1000).handler(ctx -> check(ctx, config, fanOut));
    }

    private static void check(RoutingContext ctx, GatewayConfig config, FanOut fanOut) {
        String origin = ctx.request().getHeader("Origin");
        if (origin != null && !config.allowedOrigins().contains(origin)) {
            refuse(ctx, 403, "origin-not-allowed", "Origin not allowed", "This origin may not open a connection.");
            return;
        }
        String offered = ctx.request().getHeader("Sec-WebSocket-Protocol");
        if (offered != null && Arrays.stream(offered.split(",")).map(String::trim)
                .noneMatch(Frames.SUBPROTOCOL::equals)) {
            refuse(ctx, 400, "subprotocol-required", "Subprotocol required",
                    "Offer the subprotocol " + Frames.SUBPROTOCOL + " (and, from a browser, the token carrier).");
            return;
        }
        if (!fanOut.live()) {
            ctx.response().putHeader("Retry-After", "1");
            refuse(ctx, 503, "not-ready", "Not ready", "This gateway is starting or stopping; retry shortly.");
            return;
        }
        ctx.next();
    }

    private static void refuse(RoutingContext ctx, int status, String slug, String title, String detail) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                .end("{\"type\":\"urn:e2echat:problem:" + slug + "\",\"title\":\"" + title + "\",\"status\":" + status
                        + ",\"detail\":\"" + detail + "\",\"instance\":\"/ws\"}");
    }
}
