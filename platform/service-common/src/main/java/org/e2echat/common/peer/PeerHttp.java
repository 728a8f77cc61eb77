package org.e2echat.common.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 */
@ApplicationScoped
public class PeerHttp {

    private static final Logger LOG = Logger.getLogger(PeerHttp.class);
    private static final List<String> STANDARD = List.of("type", "title", "status", "detail", "instance");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json;

    public PeerHttp(ObjectMapper json) {
        this.json = json;
    }

    /** The status and JSON body of a successful call. */
    public record Reply(int status, JsonNode body) {
    }

    public Uni<Reply> get(URI uri, String bearerToken) {
        return call(HttpRequest.newBuilder(uri).GET(), bearerToken);
    }

    public Uni<Reply> post(URI uri, String bearerToken, String jsonBody) {
        return call(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody)), bearerToken);
    }

    private Uni<Reply> call(HttpRequest.Builder builder, String token) {
        HttpRequest request = builder.header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(10)).build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .onFailure().transform(e -> {
                    LOG.warnf("%s unreachable: %s", request.uri().getAuthority(), e.getClass().getSimpleName());
                    return unavailable();
                })
                .map(response -> {
                    JsonNode body = parse(response.body());
                    if (response.statusCode() / 100 == 2) {
                        return new Reply(response.statusCode(), body);
                    }
                    throw passOn(response.statusCode(), body);
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
