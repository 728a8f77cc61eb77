package org.e2echat.client.crypto;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON this SDK needs (RFC 8259): quoting strings, and parsing a document into
 * maps, lists, strings, numbers, booleans and {@link #NULL}. Hand-written so the crypto core has no
 * dependency beyond BouncyCastle; strict so that two clients never read one plaintext differently
 * (duplicate keys, lone surrogates and trailing data are errors).
 */
final class Json {

    /** JSON null, distinct from "member absent". */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static final int MAX_DEPTH = 32;

    private final String s;
    private int pos;

    private Json(String s) {
        this.s = s;
    }

    /** A JSON string literal; refuses lone surrogates, which have no UTF-8 form. */
    static String quote(String value) {
        StringBuilder b = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    throw new IllegalArgumentException("lone surrogate in text");
                }
                b.append(c).append(value.charAt(++i));
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("lone surrogate in text");
            }
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Parses a document whose top level must be an object. */
    static Map<String, Object> parseObject(String text) throws MalformedDataException {
        Json p = new Json(text);
        p.skipWhitespace();
        if (p.peek() != '{') {
            throw new MalformedDataException("JSON document is not an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) p.value(0);
        p.skipWhitespace();
        if (p.pos != p.s.length()) {
            throw p.error("trailing data");
        }
        return result;
    }

    /**
     * One value inside {@code depth} open containers. The nesting depth of a document is the number
     * of containers on its deepest path, the top-level object counted as 1 (crypto.md §7): a
     * container opened here would be number {@code depth + 1}, and more than {@value #MAX_DEPTH}
     * is refused.
     */
    private Object value(int depth) throws MalformedDataException {
        skipWhitespace();
        char c = peek();
        switch (c) {
            case '{':
                return object(opened(depth));
            case '[':
                return array(opened(depth));
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character");
        }
    }

    /** The depth of a container opened inside {@code depth} containers; refused beyond {@value #MAX_DEPTH}. */
    private int opened(int depth) throws MalformedDataException {
        if (depth + 1 > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " containers");
        }
        return depth + 1;
    }

    private Map<String, Object> object(int depth) throws MalformedDataException {
        pos++;
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a member name");
            }
            String name = string();
            skipWhitespace();
            expect(':');
            Object v = value(depth);
            if (members.putIfAbsent(name, v) != null) {
                throw error("duplicate member \"" + name + "\"");
            }
            skipWhitespace();
            char c = next();
            if (c == '}') {
                return members;
            }
            if (c != ',') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws MalformedDataException {
        pos++;
        List<Object> items = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return items;
        }
        while (true) {
            items.add(value(depth));
            skipWhitespace();
            char c = next();
            if (c == ']') {
                return items;
            }
            if (c != ',') {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() throws MalformedDataException {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                throw error("unescaped control character in string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"' -> b.append('"');
                case '\\' -> b.append('\\');
                case '/' -> b.append('/');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> b.append(hex4());
                default -> throw error("invalid escape");
            }
        }
        String result = b.toString();
        for (int i = 0; i < result.length(); i++) {
            char c = result.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < result.length() && Character.isLowSurrogate(result.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw error("lone surrogate in string");
            }
        }
        return result;
    }

    private char hex4() throws MalformedDataException {
        if (s.length() - pos < 4) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos++), 16);
            if (d < 0) {
                throw error("invalid \\u escape");
            }
            v = (v << 4) | d;
        }
        return (char) v;
    }

    private BigDecimal number() throws MalformedDataException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw error("invalid number");
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw error("invalid number");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("invalid number");
            }
            digits();
        }
        try {
            return new BigDecimal(s.substring(start, pos));
        } catch (NumberFormatException | ArithmeticException e) {
            throw error("number out of range");
        }
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word) throws MalformedDataException {
        if (!s.startsWith(word, pos)) {
            throw error("invalid literal");
        }
        pos += word.length();
    }

    private void skipWhitespace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private char next() throws MalformedDataException {
        if (pos >= s.length()) {
            throw error("unexpected end of JSON");
        }
        return s.charAt(pos++);
    }

    private void expect(char c) throws MalformedDataException {
        if (next() != c) {
            throw error("expected '" + c + "'");
        }
    }

    private MalformedDataException error(String what) {
        return new MalformedDataException("invalid JSON at offset " + pos + ": " + what);
    }
}
