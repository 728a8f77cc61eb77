package org.e2echat.user.domain;

import java.text.Normalizer;
import java.util.Locale;
import org.e2echat.common.problem.ProblemException;

/**
 * Username and display-name rules. Usernames are NFKC-normalised, limited to letters, digits,
 * '.', '_' and '-', and unique by a case-folded key, so "Alice", "ALICE" and "Ａｌｉｃｅ" are one
 * name. Display names are NFC-normalised and may not contain control, format (bidi overrides,
 * zero-width) or line-separator characters.
 */
public final class Names {

    public static final int USERNAME_MIN = 3;
    public static final int USERNAME_MAX = 32;
    public static final int DISPLAY_NAME_MAX = 64;

    private Names() {
    }

    /** The username as stored and shown: NFKC, validated. */
    public static String username(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw invalid("invalid-username", "username is required.");
        }
        String name = Normalizer.normalize(raw, Normalizer.Form.NFKC);
        int length = name.codePointCount(0, name.length());
        if (length < USERNAME_MIN || length > USERNAME_MAX) {
            throw invalid("invalid-username", "username must be " + USERNAME_MIN + " to " + USERNAME_MAX
                    + " characters long.");
        }
        boolean ok = name.codePoints().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
        if (!ok || !Character.isLetterOrDigit(name.codePointAt(0))) {
            throw invalid("invalid-username",
                    "username may contain letters, digits, '.', '_' and '-', and must start with a letter or digit.");
        }
        return name;
    }

    /** The key that makes usernames unique regardless of case and compatibility forms. */
    public static String usernameKey(String username) {
        String folded = Normalizer.normalize(username, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return Normalizer.normalize(folded, Normalizer.Form.NFKC);
    }

    /** The display name as stored and shown: NFC, trimmed, validated. */
    public static String displayName(String raw) {
        if (raw == null) {
            throw invalid("invalid-display-name", "displayName is required.");
        }
        String name = Normalizer.normalize(raw, Normalizer.Form.NFC).strip();
        int length = name.codePointCount(0, name.length());
        if (length < 1 || length > DISPLAY_NAME_MAX) {
            throw invalid("invalid-display-name", "displayName must be 1 to " + DISPLAY_NAME_MAX + " characters long.");
        }
        boolean hostile = name.codePoints().anyMatch(c -> {
            int type = Character.getType(c);
            return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                    || type == Character.UNASSIGNED || type == Character.PRIVATE_USE;
        });
        if (hostile) {
            throw invalid("invalid-display-name",
                    "displayName may not contain control, formatting (bidi or zero-width), separator or unassigned characters.");
        }
        return name;
    }

    private static ProblemException invalid(String slug, String detail) {
        return ProblemException.badRequest(slug, detail);
    }
}
