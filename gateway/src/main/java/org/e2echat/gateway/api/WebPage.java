package org.e2echat.gateway.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Set;
import org.e2echat.gateway.config.WebClientConfig;

/**
 * Serves the web client's configuration at {@code /config.json} and puts the security headers on
 * the page and its assets (the files themselves come from the web-client jar's
 * {@code META-INF/resources}): a Content-Security-Policy without inline script whose
 * {@code connect-src} names only the configured service origins, no framing, no MIME sniffing,
 * no referrer.
 */
@ApplicationScoped
public class WebPage {

    void install(@Observes Router router, WebClientConfig config) {
        String csp = contentSecurityPolicy(config);
        String body = configDocument(config);
        router.route().order(-900).handler(ctx -> {
            if (isPage(ctx.normalizedPath())) {
                headers(ctx, csp, config.strictTransportSecurity());
            }
            ctx.next();
        });
        router.get("/config.json").handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body));
    }

    static boolean isPage(String path) {
        return path.equals("/") || path.equals("/index.html") || path.equals("/config.json")
                || path.startsWith("/assets/");
    }

    private static void headers(RoutingContext ctx, String csp, boolean hsts) {
        var h = ctx.response().headers();
        h.set("Content-Security-Policy", csp);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
        h.set("Cross-Origin-Resource-Policy", "same-origin");
        h.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        // the page is small and must never be served stale after an upgrade: revalidate every time
        h.set("Cache-Control", "no-cache");
        if (hsts) {
            h.set("Strict-Transport-Security", "max-age=31536000");
        }
    }

    static String contentSecurityPolicy(WebClientConfig config) {
        Set<String> connect = new LinkedHashSet<>();
        connect.add("'self'"); // config.json, and the WebSocket on the page's own origin (CSP 3)
        connect.add(origin(config.userServiceUrl()));
        connect.add(origin(config.sessionServiceUrl()));
        connect.add(origin(config.messageServiceUrl()));
        config.gatewayUrl().filter(u -> !u.isBlank()).ifPresent(u -> connect.add(origin(u)));
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src "
                + String.join(" ", connect) + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    static String configDocument(WebClientConfig config) {
        JsonObject json = new JsonObject()
                .put("userService", trimSlash(config.userServiceUrl()))
                .put("sessionService", trimSlash(config.sessionServiceUrl()))
                .put("messageService", trimSlash(config.messageServiceUrl()));
        config.gatewayUrl().filter(u -> !u.isBlank()).ifPresent(u -> json.put("gateway", u));
        return json.encode();
    }

    /** scheme://host[:port] of a configured URL; anything else is a configuration error at start. */
    static String origin(String url) {
        URI uri = URI.create(url.trim());
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("not an absolute URL: " + url);
        }
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }

    private static String trimSlash(String url) {
        String u = url.trim();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }
}
