package org.e2echat.testsupport;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.e2echat.contracts.identity.IdentityEncoding;

/**
 * A user in service tests: id, username, the identity version session-service knows, and
 * requests authenticated with a token from the shared test key. Envelopes it "wraps" are random
 * bytes of the right shapes (servers check shapes, never contents).
 */
public record TestUser(String id, String username, int keyVersion) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public String token() {
        return TestJwt.forge().valid(id, username);
    }

    /** A request as this user, with a JSON body type. */
    public RequestSpecification as() {
        return given().header("Authorization", "Bearer " + token()).contentType(ContentType.JSON);
    }

    public TestUser withKeyVersion(int version) {
        return new TestUser(id, username, version);
    }

    /** An envelope from this user to {@code recipient}. */
    public Map<String, Object> envelopeFor(TestUser recipient) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("recipientId", recipient.id());
        e.put("recipientKeyVersion", recipient.keyVersion());
        e.put("senderKeyVersion", keyVersion);
        e.put("suite", IdentityEncoding.SUITE_V1);
        e.put("enc", randomBase64(32));
        e.put("ciphertext", randomBase64(48));
        e.put("signature", randomBase64(64));
        return e;
    }

    public List<Map<String, Object>> envelopesFor(List<TestUser> recipients) {
        return recipients.stream().map(this::envelopeFor).toList();
    }

    public static String randomBase64(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}
