package org.e2echat.client.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/** An RFC 9457 problem answer from a service, with its HTTP status and stable problem type. */
public class ChatApiException extends RuntimeException {

    private static final String PREFIX = "urn:e2echat:problem:";

    private final int status;
    private final String type;
    private final JsonNode problem;
    private final java.time.Duration retryAfter;

    public ChatApiException(int status, String type, String detail, JsonNode problem) {
        this(status, type, detail, problem, null);
    }

    /** With the answer's {@code Retry-After} (429 and 503), or {@code null}. */
    public ChatApiException(int status, String type, String detail, JsonNode problem, java.time.Duration retryAfter) {
        super(status + " " + type + (detail == null ? "" : ": " + detail));
        this.status = status;
        this.type = type;
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    /** How long the server asked to wait before retrying, or {@code null} when it did not say. */
    public java.time.Duration retryAfter() {
        return retryAfter;
    }

    public int status() {
        return status;
    }

    /** The full problem type, e.g. {@code urn:e2echat:problem:rekey-required} (or "about:blank"). */
    public String type() {
        return type;
    }

    /** The last part of the problem type, e.g. {@code rekey-required}. */
    public String slug() {
        return type != null && type.startsWith(PREFIX) ? type.substring(PREFIX.length()) : type;
    }

    /** The whole problem document, including extension members such as {@code currentEpoch}. */
    public JsonNode problem() {
        return problem;
    }

    public boolean is(int expectedStatus, String expectedSlug) {
        return status == expectedStatus && expectedSlug.equals(slug());
    }
}
