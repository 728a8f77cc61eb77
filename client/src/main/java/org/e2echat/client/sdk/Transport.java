package org.e2echat.client.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Raw HTTP to the services: one JSON call at a time, problem+json answers turned into
 * {@link ChatApiException}, and an authenticated call refused with 401 (an expired access token)
 * refreshed once through the {@link Credentials} and repeated.
 */
final class Transport {

    /** Where authenticated calls get their bearer token, and how it is renewed after a 401. */
    interface Credentials {
        /** The access token to send now, or null when not logged in. */
        String accessToken();

        /** Whether a refused token can be renewed at all (a refresh token is held). */
        boolean canRefresh();

        /** Renews the tokens unless another thread already replaced {@code stale}. */
        void refreshUnlessRenewed(String stale);
    }

    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(20);
    private static final Credentials NONE = new Credentials() {
        @Override
        public String accessToken() {
            return null;
        }

        @Override
        public boolean canRefresh() {
            return false;
        }

        @Override
        public void refreshUnlessRenewed(String stale) {
            throw new IllegalStateException("not logged in");
        }
    };

    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
    private volatile Credentials credentials = NONE;

    Transport(HttpClient http) {
        this.http = http;
    }

    void authenticateWith(Credentials credentials) {
        this.credentials = credentials;
    }

    HttpClient http() {
        return http;
    }

    ObjectMapper json() {
        return json;
    }

    /**
     * One REST call. An authenticated call answered 401 (the access token expired) refreshes the
     * tokens once and is repeated: the server refused it before doing anything, so repeating is safe.
     */
    JsonNode call(String method, URI base, String path, JsonNode body, boolean authenticated) {
        Credentials c = credentials;
        String token = c.accessToken();
        try {
            return callOnce(method, base, path, body, authenticated ? token : null);
        } catch (ChatApiException e) {
            if (!authenticated || e.status() != 401 || !c.canRefresh()) {
                throw e;
            }
            c.refreshUnlessRenewed(token);
            return callOnce(method, base, path, body, c.accessToken());
        }
    }

    private JsonNode callOnce(String method, URI base, String path, JsonNode body, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(HTTP_TIMEOUT)
                .header("Accept", "application/json, application/problem+json");
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        JsonNode parsed = parse(response.body());
        if (response.statusCode() >= 400) {
            throw new ChatApiException(response.statusCode(), parsed.path("type").asText("about:blank"),
                    parsed.path("detail").asText(null), parsed, retryAfter(response));
        }
        return parsed;
    }

    /** The {@code Retry-After} header in seconds (the services never send the date form), or null. */
    private static Duration retryAfter(HttpResponse<String> response) {
        try {
            return response.headers().firstValue("Retry-After").map(v -> Duration.ofSeconds(Long.parseLong(v.trim())))
                    .orElse(null);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A JSON body, or an empty object for an empty or unreadable one. */
    JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    /** A path segment or query value, percent-encoded. */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
