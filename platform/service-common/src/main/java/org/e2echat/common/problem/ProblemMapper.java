package org.e2echat.common.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one mapping from exceptions to RFC 9457 {@code application/problem+json} responses, shared
 * by every service: known failures keep their status, malformed bodies are 400, and anything
 * unexpected is a generic 500 whose details stay in the log (never in the response).
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        Response.ResponseBuilder builder = respond(e.toProblem(path(uri)));
        e.headers().forEach(builder::header);
        return builder.build();
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e, UriInfo uri) {
        return respond(new Problem("malformed-request", "Malformed request body", 400,
                describe(e), path(uri), null)).build();
    }

    /** Declared separately: Quarkus ships its own mapper for this subtype, and the most specific wins. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return malformedJson(e, uri);
    }

    /**
     * A record's creator wraps what the parser refused (a duplicate key) in a definition error:
     * that is bad input, 400. A definition error without a parse failure under it is a bug, 500.
     */
    @ServerExceptionMapper
    public Response invalidDefinition(InvalidDefinitionException e, UriInfo uri) {
        for (Throwable t = e.getCause(); t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof JsonParseException parse) {
                return malformedJson(parse, uri);
            }
        }
        return unexpected(e, uri);
    }

    /** Lazy (non-proactive) authentication routes token failures here instead of a bare 401. */
    @ServerExceptionMapper({io.quarkus.security.AuthenticationFailedException.class,
        io.quarkus.security.UnauthorizedException.class,
        io.quarkus.security.AuthenticationCompletionException.class})
    public Response unauthenticated(RuntimeException e, UriInfo uri) {
        return respond(new Problem("unauthenticated", "Unauthorized", 401,
                "A valid bearer token is required.", path(uri), null))
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(io.quarkus.security.ForbiddenException e, UriInfo uri) {
        return respond(new Problem("forbidden", "Forbidden", 403, "You are not allowed to do this.", path(uri), null))
                .build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        if (cause instanceof InvalidDefinitionException definition) {
            return invalidDefinition(definition, uri);
        }
        if (cause instanceof JsonProcessingException json) {
            return malformedJson(json, uri);
        }
        Response.StatusType statusType = Response.Status.fromStatusCode(status);
        String title = statusType != null ? statusType.getReasonPhrase() : "HTTP " + status;
        Response.ResponseBuilder builder = respond(new Problem(slugOf(status), title, status,
                detailOf(status, title), path(uri), null));
        Object allow = e.getResponse().getHeaders().getFirst("Allow");
        if (allow != null) {
            builder.header("Allow", allow);
        }
        return builder.build();
    }

    /**
     * The store cannot be reached or did not confirm a write: 503 with {@code Retry-After}, so
     * clients retry (a send is idempotent by client message id, so a retry never duplicates).
     * Other store failures are unexpected.
     */
    @ServerExceptionMapper
    public Response store(com.mongodb.MongoException e, UriInfo uri) {
        return unexpected(e, uri);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, UriInfo uri) {
        Throwable store = storeOutage(e);
        if (store != null) {
            LOG.warnf("store unavailable on %s: %s", path(uri), store.getClass().getSimpleName());
            return respond(new Problem("dependency-unavailable", "Service unavailable", 503,
                    "The data store cannot be reached right now; retry shortly.", path(uri), null))
                    .header("Retry-After", "2").build();
        }
        LOG.errorf(e, "unexpected %s on %s", e.getClass().getName(), path(uri));
        return respond(new Problem("internal-error", "Internal server error", 500,
                "The server failed to handle this request; it has been logged.", path(uri), null)).build();
    }

    /** The store-outage exception wrapped somewhere in {@code e}'s causes (async stages wrap them), or null. */
    private static Throwable storeOutage(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof com.mongodb.MongoTimeoutException || t instanceof com.mongodb.MongoSocketException
                    || t instanceof com.mongodb.MongoNotPrimaryException
                    || t instanceof com.mongodb.MongoNodeIsRecoveringException
                    || t instanceof com.mongodb.MongoWriteConcernException
                    || t instanceof com.mongodb.MongoConnectionPoolClearedException
                    || t instanceof com.mongodb.MongoServerUnavailableException
                    || t instanceof com.mongodb.MongoExecutionTimeoutException
                    || t instanceof com.mongodb.MongoInterruptedException) {
                return t;
            }
        }
        return null;
    }

    /**
     * Every problem answered is counted by status and type ({@code e2echat_problems_total}), so
     * operators see login throttles (429 rate-limited), store outages (503) and bugs (500).
     */
    private static Response.ResponseBuilder respond(Problem problem) {
        count(problem);
        return Response.status(problem.getStatus()).type(Problem.MEDIA_TYPE).entity(problem);
    }

    /**
     * The same answer from a route of the HTTP layer, before the REST layer (body limit, WebSocket
     * upgrade): counted like the others, written as problem+json.
     */
    public static Future<Void> respond(HttpServerResponse response, Problem problem) {
        count(problem);
        return response.setStatusCode(problem.getStatus()).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .end(Json.encode(problem));
    }

    private static void count(Problem problem) {
        Metrics.counter("e2echat_problems", "status", String.valueOf(problem.getStatus()),
                "type", problem.getType().substring(Problem.TYPE_PREFIX.length())).increment();
    }

    /** Says what is wrong and where, without echoing the submitted content. */
    private static String describe(JsonProcessingException e) {
        String where = e.getLocation() != null
                ? " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                : "";
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "Unknown field '" + unknown.getPropertyName() + "'" + where + ".";
        }
        if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
            MismatchedInputException m = (MismatchedInputException) e;
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return field.isEmpty()
                    ? "The body does not have the expected shape" + where + "."
                    : "Field '" + field + "' has the wrong type or shape" + where + ".";
        }
        if (e instanceof JsonParseException && e.getOriginalMessage() != null
                && e.getOriginalMessage().startsWith("Duplicate field")) {
            return "A field appears more than once" + where + ".";
        }
        return "The body is not valid JSON" + where + ".";
    }

    private static String slugOf(int status) {
        return switch (status) {
            case 400 -> "bad-request";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            case 429 -> "rate-limited";
            default -> status >= 500 ? "server-error" : "http-" + status;
        };
    }

    private static String detailOf(int status, String title) {
        return switch (status) {
            case 401 -> "A valid bearer token is required.";
            case 403 -> "You are not allowed to do this.";
            case 404 -> "No such resource.";
            case 405 -> "This method is not allowed on this resource.";
            case 415 -> "Send the body as application/json.";
            default -> title + ".";
        };
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }
}
