package org.e2echat.common.validation;

import java.util.Base64;
import org.e2echat.common.problem.ProblemException;

/** Decodes byte fields sent as strict, canonical, padded standard base64 of an exact length. */
public final class StrictBase64 {

    private StrictBase64() {
    }

    /** Decodes {@code value} or fails with 400 malformed-base64 / 422 invalid-length problems. */
    public static byte[] decode(String field, String value, int length) {
        byte[] bytes = decode(field, value);
        if (bytes.length != length) {
            throw ProblemException.unprocessable("invalid-key-length",
                    field + " must decode to " + length + " bytes, got " + bytes.length + ".");
        }
        return bytes;
    }

    /** Decodes {@code value} of any length (still strict and canonical). */
    public static byte[] decode(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw ProblemException.badRequest("malformed-base64", field + " is required (standard base64).");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("malformed-base64", field + " is not valid standard base64.");
        }
        if (!Base64.getEncoder().encodeToString(bytes).equals(value)) {
            throw ProblemException.badRequest("malformed-base64", field + " is not canonical padded base64.");
        }
        return bytes;
    }
}
