package org.e2echat.client.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageContentTest {

    private static MessageContent parse(String json) throws MalformedDataException {
        return MessageContent.fromJsonBytes(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void encodesTheDocumentedShape() {
        assertEquals("{\"type\":\"text\",\"text\":\"hi\"}",
                new String(MessageContent.text("hi").toJsonBytes(), StandardCharsets.UTF_8));
        assertEquals("{\"type\":\"receipt\"}",
                new String(new MessageContent("receipt", null).toJsonBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void escapesWhatJsonRequires() {
        assertEquals("{\"type\":\"text\",\"text\":\"a\\\"b\\\\c\\nd\\te\\u0001f\\u001f\u00e9\uD83D\uDE00\"}",
                new String(MessageContent.text("a\"b\\c\nd\te\u0001f\u001f\u00e9\uD83D\uDE00").toJsonBytes(),
                        StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "quote \" backslash \\ slash /", "ctl \u0000\u0007\b\f\n\r\t\u001f",
        "\u2028\u2029 line separators", "emoji \uD83D\uDE00 and \u00e9\u0301", "{\"json\":[1,2]}"})
    void roundTrips(String text) throws MalformedDataException {
        MessageContent c = MessageContent.text(text);
        assertEquals(c, MessageContent.fromJsonBytes(c.toJsonBytes()));
    }

    @Test
    void readsOtherWritersJsonAndIgnoresUnknownMembers() throws MalformedDataException {
        MessageContent c = parse(" {\n \"v\": 2, \"text\" : \"h\\u00e9\\uD83D\\uDE00\\/\", \"extra\": {\"a\": [1, -2.5e3, true,"
                + " false, null, {}], \"b\": \"x\"}, \"type\": \"text\" } ");
        assertEquals(MessageContent.text("h\u00e9\uD83D\uDE00/"), c);
        MessageContent receipt = parse("{\"type\":\"receipt\",\"text\":null,\"of\":\"m1\"}");
        assertEquals("receipt", receipt.type());
        assertNull(receipt.text());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "[]", "\"text\"", "{", "{}", "{\"type\":\"\"}", "{\"type\":1}",
        "{\"type\":\"text\"}", "{\"type\":\"text\",\"text\":5}",
        "{\"type\":\"text\",\"text\":\"a\",\"text\":\"b\"}",
        "{\"type\":\"text\",\"text\":\"a\"} x", "{\"type\":\"text\",\"text\":\"a\",}",
        "{\"type\":\"text\",\"text\":\"\\ud800\"}", "{\"type\":\"text\",\"text\":\"\\udc00\\ud800\"}",
        "{\"type\":\"text\",\"text\":\"raw\ncontrol\"}", "{\"type\":\"text\",\"text\":\"\\x\"}",
        "{\"type\":\"text\",\"text\":\"\\u12\"}", "{\"type\":\"text\",\"text\":\"a\",\"n\":01}",
        "{\"type\":\"text\",\"text\":\"a\",\"n\":1.}", "{\"type\":\"text\",\"text\":\"a\",\"n\":tru}",
        "{'type':'text'}",
    })
    void refusesMalformedDocuments(String json) {
        assertThrows(MalformedDataException.class, () -> parse(json));
    }

    @Test
    void refusesDeepNestingAndInvalidUtf8() {
        String deep = "{\"type\":\"t\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
        assertThrows(MalformedDataException.class, () -> parse(deep));
        byte[] invalid = "{\"type\":\"text\",\"text\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        invalid[invalid.length - 3] = (byte) 0xff;
        assertThrows(MalformedDataException.class, () -> MessageContent.fromJsonBytes(invalid));
    }

    @Test
    void refusesLoneSurrogatesWhenEncoding() {
        assertThrows(IllegalArgumentException.class, () -> MessageContent.text("bad \uD800 here").toJsonBytes());
        assertThrows(IllegalArgumentException.class, () -> new MessageContent("", "x"));
    }

    @Test
    void toStringLeavesTheTextOut() {
        assertFalse(MessageContent.text("secret plans").toString().contains("secret plans"));
    }
}
