package org.e2echat.common.problem;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Holds every request body to {@code e2echat.http.max-body-bytes} (256 KiB) before anything else
 * sees it: a declared Content-Length over the limit is refused at once; a chunked body is read
 * here, up to the limit, and refused as soon as it passes it (the REST layer then takes the body
 * read here rather than reading it again). Either way the answer is a 413 problem+json and the
 * connection is closed, so a client streaming megabytes stops at the limit, and nothing is
 * logged for it.
 */
@ApplicationScoped
public class BodySizeLimit {

    /** Before authentication and every other route. */
    static final int ORDER = -3000;

    void install(@Observes Router router, @ConfigProperty(name = "e2echat.http.max-body-bytes") long maxBodyBytes) {
        BodyHandler chunkedBodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes).setHandleFileUploads(false);
        router.route().order(ORDER).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (declared != null) {
                long length = parseLength(declared);
                if (length > maxBodyBytes) {
                    refuse(ctx, maxBodyBytes);
                } else if (length < 0) {
                    ProblemMapper.respond(ctx.response(), new Problem("bad-request", "Bad request", 400,
                            "Content-Length is not a number.", request.path(), null));
                } else {
                    ctx.next();
                }
            } else if ("chunked".equalsIgnoreCase(request.getHeader(HttpHeaders.TRANSFER_ENCODING))) {
                chunkedBodies.handle(ctx);
            } else {
                ctx.next();
            }
        }).failureHandler(ctx -> {
            if (ctx.response().ended()) {
                return; // refused already; the client's connection was closed under it
            }
            if (ctx.statusCode() == 413) {
                refuse(ctx, maxBodyBytes);
            } else {
                ctx.next();
            }
        });
    }

    private static long parseLength(String declared) {
        try {
            return Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void refuse(RoutingContext ctx, long maxBodyBytes) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        ProblemMapper.respond(ctx.response(), new Problem("payload-too-large", "Payload too large", 413,
                "The body is larger than the limit of " + maxBodyBytes + " bytes.", ctx.request().path(), null))
                .onComplete(done -> ctx.request().connection().close());
    }
}
