package org.e2echat.common.validation;

import java.util.regex.Pattern;
import org.e2echat.common.problem.ProblemException;

/**
 * Checks shared by every REST resource: a body is present; a path id is a lower-case UUID; a
 * numeric query parameter is a number.
 */
public final class Requests {

    private static final Pattern UUID_SHAPE =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private Requests() {
    }

    /** The body, or a 400 problem when there is none. */
    public static <T> T body(T body) {
        if (body == null) {
            throw ProblemException.badRequest("malformed-request", "A JSON body is required.");
        }
        return body;
    }

    /** True when {@code id} has the shape of the ids this system issues. */
    public static boolean isId(String id) {
        return id != null && UUID_SHAPE.matcher(id).matches();
    }

    /** The id, or a 404 problem: an id of the wrong shape names nothing. */
    public static String id(String id, String notFoundDetail) {
        if (!isId(id)) {
            throw ProblemException.notFound(notFoundDetail);
        }
        return id;
    }

    /**
     * The query parameter as a whole number, null when absent, or a 400 problem of type
     * {@code slug}: JAX-RS would answer a parameter it cannot convert with a 404.
     */
    public static Long longParam(String value, String name, String slug) {
        if (value == null) {
            return null;
        }
        try {
            return Long.valueOf(value);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(slug, name + " must be a whole number.");
        }
    }

    /** As {@link #longParam}, for an int parameter. */
    public static Integer intParam(String value, String name, String slug) {
        Long n = longParam(value, name, slug);
        if (n != null && (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE)) {
            throw ProblemException.badRequest(slug, name + " must be a whole number.");
        }
        return n == null ? null : n.intValue();
    }
}
