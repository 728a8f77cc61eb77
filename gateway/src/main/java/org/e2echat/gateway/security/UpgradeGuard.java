package org.e2echat.gateway.security;

import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.e2echat.common.problem.Problem;
import org.e2echat.common.problem.ProblemMapper;
import org.e2echat.common.security.SubjectRequired;
import org.e2echat.contracts.frames.Frames;
import org.e2echat.gateway.config.GatewayConfig;
import org.e2echat.gateway.events.FanOut;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.health.Readiness;

/**
 * Checks a WebSocket upgrade before anything else handles it: a browser Origin must be on the
 * allow-list (403), a client that offers subprotocols must offer {@code chat.v1} (400) — a
 * token carrier offered alone would otherwise end in a server error — and the token must be valid
 * and not one of a deleted account (401). Until this instance's
 * fan-out consumer is live, and once shutdown begins, upgrades get 503 with {@code Retry-After}:
 * a client that connected and caught up earlier could miss a message written between its
 * catch-up and the consumer's start, and one that connects while the instance stops would only be
 * cut off again. All answer problem+json.
 *
 * <p>A token that passes becomes the request's identity here, as a {@link SocketUser} (user id and
 * expiry): that is all the connection keeps, instead of the parsed token with its claims that the
 * HTTP layer's own JWT authentication would build and keep for the socket's lifetime. As an
 * {@link HttpUpgradeCheck} it then hands that user to the connection ({@link #USER} in its user
 * data), so the endpoint needs no request-scoped {@code SecurityIdentity}.
 */
@ApplicationScoped
public class UpgradeGuard implements HttpUpgradeCheck {

    /** The connection's verified user, in its {@link UserData}. */
    public static final UserData.TypedKey<SocketUser> USER = new UserData.TypedKey<>("e2echat.gateway.user");

    private static final String CARRIER = "quarkus-http-upgrade#Authorization#";

    void install(@Observes Router router, GatewayConfig config, @Readiness FanOut fanOut, JWTParser tokens,
            SubjectRequired subjects) {
        router.route("/ws").order(-1000).handler(ctx -> check(ctx, config, fanOut, tokens, subjects));
    }

    /** Copies the upgrade's verified {@link SocketUser} into the connection's user data; refuses nothing. */
    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        return context.securityIdentity().map(identity -> {
            if (identity != null && identity.getPrincipal() instanceof SocketUser user) {
                context.userData().put(USER, user);
            }
            return CheckResult.permitUpgradeSync();
        });
    }

    private static void check(RoutingContext ctx, GatewayConfig config, FanOut fanOut, JWTParser tokens,
            SubjectRequired subjects) {
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
        Object verified = authenticate(ctx, tokens, subjects);
        if (verified instanceof String refusal) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            refuse(ctx, 401, "unauthenticated", "Unauthorized", refusal);
            return;
        }
        if (!fanOut.live()) {
            ctx.response().putHeader("Retry-After", "1");
            refuse(ctx, 503, "not-ready", "Not ready", "This gateway is starting or stopping; retry shortly.");
            return;
        }
        QuarkusHttpUser.setIdentity(QuarkusSecurityIdentity.builder().setPrincipal((SocketUser) verified).build(), ctx);
        ctx.next();
    }

    /**
     * The token is checked here, before the HTTP layer's own authentication, so that a missing,
     * invalid or expired token, or one of a deleted account, is one 401 problem+json and a line of
     * nothing in the log (the HTTP layer would answer an empty 401 and then fail to write it again).
     * Returns the {@link SocketUser} of a good token, or why it is refused (a String).
     */
    private static Object authenticate(RoutingContext ctx, JWTParser tokens, SubjectRequired subjects) {
        String token = bearer(ctx.request().getHeader("Authorization"));
        String offered = ctx.request().getHeader("Sec-WebSocket-Protocol");
        if (token == null && offered != null) {
            for (String protocol : offered.split(",")) {
                if (protocol.trim().startsWith(CARRIER)) {
                    token = bearer(URLDecoder.decode(protocol.trim().substring(CARRIER.length()), StandardCharsets.UTF_8));
                }
            }
        }
        if (token == null) {
            return "A bearer token is required (Authorization header, or the subprotocol carrier from a browser).";
        }
        try {
            JsonWebToken jwt = tokens.parse(token);
            String why = subjects.refusal(jwt);
            return why == null ? new SocketUser(jwt.getSubject(), jwt.getExpirationTime() * 1000)
                    : "The token is not valid: " + why + ".";
        } catch (ParseException | IllegalArgumentException e) {
            return "The token is missing, invalid or expired.";
        }
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static void refuse(RoutingContext ctx, int status, String slug, String title, String detail) {
        ProblemMapper.respond(ctx.response(), new Problem(slug, title, status, detail, "/ws", null));
    }
}
