package org.e2echat.common.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.e2echat.common.problem.Problem;
import org.e2echat.common.problem.ProblemException;
import org.jboss.logging.Logger;

/**
 * Calls another service as the user (their bearer token), non-blocking. A 2xx body comes back as
 * JSON; a problem answer is passed on unchanged (status, type, members) so clients see the owning
 * service's decision; an unreachable or failing peer is a 503 {@code dependency-unavailable}.
 *
 * <p>One Vert.x client on the service's own event loops: HTTP/1.1 connections kept alive in a
 * pool per peer, the answer handled on the event loop that asked. The JDK client it replaces
 * offered an h2c upgrade on new connections and completed every call on a thread of its own,
 * one more hop per call on the send path.
 */
@ApplicationScoped
public class PeerHttp {

    private static final Logger LOG = Logger.getLogger(PeerHttp.class);
    private static final List<String> STANDARD = List.of("type", "title", "status", "detail", "instance");

    private static final int CONNECT_TIMEOUT_MS = 2_000;
    private static final long REQUEST_TIMEOUT_MS = 10_000;
    private static final int POOL_PER_PEER = 32;

    private final HttpClient http;
    private final ObjectMapper json;

    public PeerHttp(ObjectMapper json, Vertx vertx) {
        this.json = json;
        this.http = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true).setKeepAliveTimeout(30).setMaxPoolSize(POOL_PER_PEER)
                .setConnectTimeout(CONNECT_TIMEOUT_MS));
    }

    @PreDestroy
    void close() {
        http.close();
    }

    /** The status and JSON body of a successful call. */
    public record Reply(int status, JsonNode body) {
    }

    public Uni<Reply> get(URI uri, String bearerToken) {
        return call(HttpMethod.GET, uri, bearerToken, null);
    }

    public Uni<Reply> post(URI uri, String bearerToken, String jsonBody) {
        return call(HttpMethod.POST, uri, bearerToken, jsonBody);
    }

    /** Status and body text of an answer, before it is judged. */
    private record Raw(int status, String body) {
    }

    private Uni<Reply> call(HttpMethod method, URI uri, String token, String body) {
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(uri.toString())
                .putHeader("Authorization", "Bearer " + token).putHeader("Accept", "application/json")
                .setTimeout(REQUEST_TIMEOUT_MS);
        if (body != null) {
            options.putHeader("Content-Type", "application/json");
        }
        return Uni.createFrom().completionStage(() -> http.request(options)
                        .compose(request -> body == null ? request.send() : request.send(body))
                        .compose(response -> response.body().map(b -> new Raw(response.statusCode(), b.toString())))
                        .toCompletionStage())
                .onFailure().transform(e -> {
                    LOG.warnf("%s unreachable: %s", uri.getAuthority(), e.getClass().getSimpleName());
                    return unavailable();
                })
                .map(raw -> {
                    JsonNode parsed = parse(raw.body());
                    if (raw.status() / 100 == 2) {
                        return new Reply(raw.status(), parsed);
                    }
                    throw passOn(raw.status(), parsed);
                });
    }

    private ProblemException passOn(int status, JsonNode body) {
        if (status >= 500 || body == null || !body.path("type").asText().startsWith(Problem.TYPE_PREFIX)) {
            return unavailable();
        }
        Map<String, Object> extensions = new LinkedHashMap<>();
        body.fields().forEachRemaining(f -> {
            if (!STANDARD.contains(f.getKey())) {
                extensions.put(f.getKey(), json.convertValue(f.getValue(), Object.class));
            }
        });
        return new ProblemException(status, body.path("type").asText().substring(Problem.TYPE_PREFIX.length()),
                body.path("title").asText(), body.path("detail").asText(), extensions, Map.of());
    }

    private static ProblemException unavailable() {
        return new ProblemException(503, "dependency-unavailable", "Service unavailable",
                "A service this request depends on cannot be reached; retry shortly.", Map.of(),
                Map.of("Retry-After", "2"));
    }

    private JsonNode parse(String body) {
        try {
            return body == null || body.isEmpty() ? null : json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
