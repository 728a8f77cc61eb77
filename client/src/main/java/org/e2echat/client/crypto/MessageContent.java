package org.e2echat.client.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * The plaintext of a message: a small JSON document {@code {"type":...,"text":...}}, so that new
 * content types (edits, receipts, attachments) need no change to the encryption format.
 */
public record MessageContent(String type, String text) {

    public static final String TYPE_TEXT = "text";

    public MessageContent {
        Objects.requireNonNull(type, "type");
        if (type.isEmpty()) {
            throw new IllegalArgumentException("type must not be empty");
        }
    }

    public static MessageContent text(String text) {
        return new MessageContent(TYPE_TEXT, Objects.requireNonNull(text, "text"));
    }

    /** Leaves the text out: plaintext must not end up in logs by accident. */
    @Override
    public String toString() {
        return "MessageContent[type=" + type + ", text=" + (text == null ? "null" : "<" + text.length() + " chars>") + "]";
    }

    /** UTF-8 JSON, members in the order type, text; text is left out when null. */
    public byte[] toJsonBytes() {
        StringBuilder b = new StringBuilder("{\"type\":").append(Json.quote(type));
        if (text != null) {
            b.append(",\"text\":").append(Json.quote(text));
        }
        return b.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads the JSON a client of any language wrote. Members other than type and text are ignored,
     * so later content types can add fields that this version passes over.
     */
    public static MessageContent fromJsonBytes(byte[] json) throws MalformedDataException {
        String document;
        try {
            document = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedDataException("message plaintext is not UTF-8", e);
        }
        Map<String, Object> members = Json.parseObject(document);
        Object type = members.get("type");
        if (!(type instanceof String) || ((String) type).isEmpty()) {
            throw new MalformedDataException("message plaintext has no \"type\" string");
        }
        Object text = members.get("text");
        if (text != null && text != Json.NULL && !(text instanceof String)) {
            throw new MalformedDataException("message \"text\" is not a string");
        }
        if (TYPE_TEXT.equals(type) && !(text instanceof String)) {
            throw new MalformedDataException("a text message has no \"text\"");
        }
        return new MessageContent((String) type, text instanceof String ? (String) text : null);
    }
}
