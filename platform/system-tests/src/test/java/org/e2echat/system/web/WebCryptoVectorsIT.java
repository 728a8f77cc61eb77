package org.e2echat.system.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web client's cryptography, run in real Chromium from the very files the gateway serves,
 * reproduces the interop vector file byte for byte (every value the Java SDK's tests check, and
 * the envelope sealed again from its ephemeral seed) and the RFC 9180 A.1.1 HPKE vector.
 */
class WebCryptoVectorsIT {

    private static final Path ROOT = Path.of(System.getProperty("e2echat.root", "../..")).toAbsolutePath().normalize();
    private static final Path VECTORS = ROOT.resolve("client/src/test/resources/test-vectors");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static StaticFiles files;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        files = StaticFiles.start();
        browser = Browser.start(ROOT.resolve("platform/system-tests/target/web-vectors-profile"), 1000, 800);
        browser.open(files.url());
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (files != null) {
            files.close();
        }
    }

    /** Imports /test/vectors.js in the page and returns what {@code function(input)} answered, parsed. */
    private static JsonNode run(String function, String input) throws Exception {
        Object answer = browser.driver.executeAsyncScript(
                "const input = arguments[0]; const done = arguments[arguments.length - 1];"
                        + "import('/test/vectors.js').then(m => m." + function + "(JSON.parse(input)))"
                        + ".then(r => done(JSON.stringify(r)), e => done(JSON.stringify({error: String(e) + ' ' + e.stack})));",
                input);
        JsonNode result = JSON.readTree((String) answer);
        assertFalse(result.has("error"), () -> result.path("error").asText());
        return result;
    }

    @Test
    void reproducesTheInteropVectorFileByteForByte() throws Exception {
        String text = Files.readString(VECTORS.resolve("e2echat-v1-interop.json"));
        JsonNode v = JSON.readTree(text);
        JsonNode out = run("interop", text);

        for (String who : List.of("alice", "bob")) {
            for (String field : List.of("signingPublicKey", "kemPublicKey", "kemKeySignatureInput", "kemKeySignature",
                    "fingerprint", "fingerprintDigits")) {
                assertEquals(v.path(who).path(field).asText(), out.path(who).path(field).asText(), who + "." + field);
            }
            assertFalse(out.path(who).path("signingKeyExtractable").asBoolean(true), "private keys stay non-extractable");
            assertFalse(out.path(who).path("kemKeyExtractable").asBoolean(true), "private keys stay non-extractable");
        }
        assertEquals(v.path("safetyNumber").asText(), out.path("safetyNumber").asText());
        assertEquals(v.path("safetyNumber").asText(), out.path("safetyNumberReversed").asText());

        JsonNode e = v.path("envelope");
        for (String field : List.of("info", "aad", "enc", "ciphertext", "signatureInput", "signature")) {
            assertEquals(e.path(field).asText(), out.path("envelope").path(field).asText(), "envelope." + field);
        }
        assertEquals(e.path("sessionKey").asText(), out.path("envelope").path("unwrapped").asText(),
                "the Python envelope unwraps in the page");
        assertEquals("context", out.path("envelope").path("relabelled").asText(), "an envelope for another epoch is refused");
        assertEquals("signature", out.path("envelope").path("tampered").asText(), "an altered envelope is refused");

        JsonNode m = v.path("message");
        for (String field : List.of("header", "plaintext", "ciphertext", "signatureInput", "signature")) {
            assertEquals(m.path(field).asText(), out.path("message").path(field).asText(), "message." + field);
        }
        assertEquals("text", out.path("message").path("decryptedType").asText());
        assertEquals(m.path("text").asText(), out.path("message").path("decryptedText").asText(),
                "the Python message decrypts in the page");
        assertEquals("signature", out.path("message").path("otherSession").asText(), "a moved message is refused");

        JsonNode k = v.path("keyAtRest");
        assertEquals(k.path("privateKeysPlaintext").asText(), out.path("keyAtRest").path("privateKeysPlaintext").asText());
        assertTrue(out.path("keyAtRest").path("headerIsPrefix").asBoolean(), "key file header layout");
        assertEquals(k.path("privateKeysPlaintext").asText(), out.path("keyAtRest").path("opened").asText(),
                "the key file opens with the vector's derived key");
        browser.assertNoConsoleErrors();
    }

    @Test
    void opensTheRfc9180BaseModeVector() throws Exception {
        String text = Files.readString(VECTORS.resolve("hpke-rfc9180-a1-base.json"));
        JsonNode v = JSON.readTree(text).path("vector");
        JsonNode out = run("rfc9180", text);
        for (String field : List.of("skEm", "pkEm", "skRm", "pkRm", "enc", "shared_secret", "key", "base_nonce")) {
            assertEquals(v.path(field).asText(), out.path(field).asText(), field);
        }
        List<String> expected = new ArrayList<>();
        v.path("encryptions").forEach(e -> expected.add(e.path("ct").asText()));
        List<String> sealed = new ArrayList<>();
        out.path("cts").forEach(c -> sealed.add(c.asText()));
        assertEquals(expected, sealed, "all six encryptions");
        List<String> opened = new ArrayList<>();
        out.path("opened").forEach(c -> opened.add(c.asText()));
        v.path("encryptions").forEach(e -> assertTrue(opened.remove(e.path("pt").asText())));
        browser.assertNoConsoleErrors();
    }

    @Test
    void readsPlaintextStrictly() throws Exception {
        List<String> cases = List.of(
                "{\"type\":\"text\",\"text\":\"h\\u00e9\"}",
                "{\"text\":\"a\",\"type\":\"text\",\"extra\":[1,{\"x\":null}]}",
                "{\"type\":\"text\",\"type\":\"text\",\"text\":\"dup\"}",
                "{\"type\":\"text\",\"text\":\"\\ud800\"}",
                "{\"type\":\"text\",\"text\":\"a\"} x",
                "{\"type\":\"text\",\"text\":\"a\tb\"}",
                "[\"type\"]",
                "{\"type\":\"text\"}",
                "{\"type\":\"receipt\",\"text\":null}",
                "{\"type\":\"x\",\"d\":" + "[".repeat(32) + "]".repeat(32) + "}",
                "{\"type\":\"x\",\"d\":" + "[".repeat(33) + "]".repeat(33) + "}",
                "\uFEFF{\"type\":\"text\",\"text\":\"bom\"}");
        JsonNode out = run("strictJson", JSON.writeValueAsString(cases));
        List<String> got = new ArrayList<>();
        out.forEach(n -> got.add(n.asText()));
        assertEquals(List.of("ok:text:hé", "ok:text:a", "refused", "refused", "refused", "refused", "refused",
                "refused", "ok:receipt:null", "ok:x:null", "refused", "refused"), got);
        browser.assertNoConsoleErrors();
    }
}
