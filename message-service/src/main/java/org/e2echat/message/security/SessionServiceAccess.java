package org.e2echat.message.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.e2echat.common.problem.Problem;
import org.e2echat.common.problem.ProblemException;
import org.e2echat.message.domain.SessionAccess;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Asks session-service, with the caller's own token, on every call (no caching: a removal that has
 * returned must stop the very next send). Its refusals are passed on unchanged (same status,
 * problem type and members); if it cannot be reached the answer is 503.
 */
@ApplicationScoped
public class SessionServiceAccess implements SessionAccess {

    private static final Logger LOG = Logger.getLogger(SessionServiceAccess.class);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json;
    private final String base;

    public SessionServiceAccess(ObjectMapper json,
            @ConfigProperty(name = "e2echat.session-service.url") String sessionServiceUrl) {
        this.json = json;
        this.base = sessionServiceUrl.replaceAll("/+$", "");
    }

    @Override
    public Uni<Permission> sendPermission(String bearerToken, String sessionId, int epoch) {
        return get(bearerToken, "/v1/sessions/" + encode(sessionId) + "/send-permission?epoch=" + epoch).map(b -> {
            List<String> recipients = new ArrayList<>();
            b.path("recipients").forEach(n -> recipients.add(n.asText()));
            return new Permission(b.path("sessionId").asText(), b.path("senderId").asText(), b.path("epoch").asInt(),
                    b.path("senderKeyVersion").asInt(), text(b, "senderUsername"), text(b, "senderDisplayName"),
                    recipients);
        });
    }

    @Override
    public Uni<Membership> membership(String bearerToken, String sessionId) {
        return get(bearerToken, "/v1/sessions/" + encode(sessionId) + "/access").map(b -> new Membership(
                b.path("active").asBoolean(), b.path("joinedEpoch").asInt(),
                b.path("leftEpoch").isNull() || b.path("leftEpoch").isMissingNode() ? null : b.path("leftEpoch").asInt(),
                b.path("leftSeq").isNull() || b.path("leftSeq").isMissingNode() ? null : b.path("leftSeq").asLong(),
                b.path("currentEpoch").asInt()));
    }

    private Uni<JsonNode> get(String token, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(5))
                .GET().build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .onFailure(e -> !(e instanceof ProblemException)).transform(e -> {
                    LOG.warnf("session-service unreachable: %s", e.getClass().getSimpleName());
                    return new ProblemException(503, "dependency-unavailable", "Service unavailable",
                            "The session service cannot be reached; retry shortly.", Map.of(),
                            Map.of("Retry-After", "2"));
                })
                .map(response -> {
                    JsonNode body = parse(response.body());
                    if (response.statusCode() == 200) {
                        return body;
                    }
                    throw passOn(response.statusCode(), body);
                });
    }

    private ProblemException passOn(int status, JsonNode body) {
        if (status >= 500 || body == null || !body.path("type").asText().startsWith(Problem.TYPE_PREFIX)) {
            return new ProblemException(503, "dependency-unavailable", "Service unavailable",
                    "The session service failed; retry shortly.", Map.of(), Map.of("Retry-After", "2"));
        }
        Map<String, Object> extensions = new LinkedHashMap<>();
        body.fields().forEachRemaining(f -> {
            if (!List.of("type", "title", "status", "detail", "instance").contains(f.getKey())) {
                extensions.put(f.getKey(), json.convertValue(f.getValue(), Object.class));
            }
        });
        return new ProblemException(status, body.path("type").asText().substring(Problem.TYPE_PREFIX.length()),
                body.path("title").asText(), body.path("detail").asText(), extensions, Map.of());
    }

    private JsonNode parse(String body) {
        try {
            return body == null || body.isEmpty() ? null : json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode b, String field) {
        return b.path(field).isTextual() ? b.path(field).asText() : null;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
