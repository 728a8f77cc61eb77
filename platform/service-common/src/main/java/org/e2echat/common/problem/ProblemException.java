package org.e2echat.common.problem;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The base of every failure a service reports to its caller. Each failure kind is its own
 * subclass (or factory) with a stable slug, so clients can branch on the problem {@code type}.
 * Details must never carry plaintext, keys, envelopes, passwords or tokens.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final Map<String, Object> extensions;
    private final Map<String, String> headers;

    public ProblemException(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, Map.of(), Map.of());
    }

    public ProblemException(int status, String slug, String title, String detail,
            Map<String, Object> extensions, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.extensions = new LinkedHashMap<>(extensions);
        this.headers = new LinkedHashMap<>(headers);
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    /** Extra problem members, e.g. {@code currentEpoch} on a stale-epoch conflict. */
    public Map<String, Object> extensions() {
        return extensions;
    }

    /** Response headers to add, e.g. {@code Retry-After} on 429. */
    public Map<String, String> headers() {
        return headers;
    }

    public Problem toProblem(String instance) {
        return new Problem(slug, title, status, getMessage(), instance, extensions);
    }

    public static ProblemException badRequest(String slug, String detail) {
        return new ProblemException(400, slug, "Bad request", detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", "Not found", detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "forbidden", "Forbidden", detail);
    }

    public static ProblemException conflict(String slug, String detail) {
        return new ProblemException(409, slug, "Conflict", detail);
    }

    public static ProblemException unprocessable(String slug, String detail) {
        return new ProblemException(422, slug, "Unprocessable content", detail);
    }
}
