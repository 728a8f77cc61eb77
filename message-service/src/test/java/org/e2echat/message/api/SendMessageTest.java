package org.e2echat.message.api;

import static org.e2echat.testsupport.Chat.message;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.e2echat.testsupport.PeerServicesResource;
import org.e2echat.testsupport.Chat;
import org.e2echat.testsupport.TestUser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
@QuarkusTestResource(value = PeerServicesResource.class,
        initArgs = @ResourceArg(name = "services", value = "session-service"))
class SendMessageTest {

    Chat chat;

    @BeforeEach
    void setUp() {
        chat = Chat.fromConfig();
    }

    @Test
    void storesCiphertextWithDenseSeqsAndTheSendersName() {
        List<TestUser> u = chat.users(2);
        String id = chat.group(u);
        Map<String, Object> first = message(1);
        first.put("sessionId", id);
        first.put("formatVersion", 1);
        first.put("senderKeyVersion", 1);
        chat.send(u.get(0), id, first).then().statusCode(201).body("seq", equalTo(1)).body("epoch", equalTo(1));
        chat.send(u.get(1), id, message(1)).then().statusCode(201).body("seq", equalTo(2));
        chat.send(u.get(0), id, message(1)).then().statusCode(201).body("seq", equalTo(3));
        chat.read(u.get(1), id, "").then().statusCode(200)
                .body("messages.seq", contains(1, 2, 3))
                .body("messages[0].senderId", equalTo(u.get(0).id()))
                .body("messages[0].senderUsername", equalTo(u.get(0).username()))
                .body("messages[0].formatVersion", equalTo(1))
                .body("messages[0].senderKeyVersion", equalTo(1))
                .body("messages[0].ciphertext", equalTo(first.get("ciphertext")))
                .body("messages[0].nonce", equalTo(first.get("nonce")))
                .body("messages[0].clientMessageId", equalTo(first.get("clientMessageId")));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("malformed base64 ciphertext", 400, "malformed-base64",
                        (Consumer<Map<String, Object>>) m -> m.put("ciphertext", "not base64!")),
                Arguments.of("short nonce", 400, "invalid-message",
                        (Consumer<Map<String, Object>>) m -> m.put("nonce", TestUser.randomBase64(8))),
                Arguments.of("long signature", 400, "invalid-message",
                        (Consumer<Map<String, Object>>) m -> m.put("signature", TestUser.randomBase64(65))),
                Arguments.of("not a UUID", 400, "invalid-message",
                        (Consumer<Map<String, Object>>) m -> m.put("clientMessageId", "42")),
                Arguments.of("upper-case UUID", 400, "invalid-message",
                        (Consumer<Map<String, Object>>) m -> m.put("clientMessageId",
                                UUID.randomUUID().toString().toUpperCase())),
                Arguments.of("unknown suite", 422, "unsupported-suite",
                        (Consumer<Map<String, Object>>) m -> m.put("suite", "ROT13")),
                Arguments.of("ciphertext of 65,536 bytes: no field() can hold it, so no client could verify it", 413,
                        "ciphertext-too-large",
                        (Consumer<Map<String, Object>>) m -> m.put("ciphertext", TestUser.randomBase64(65_536))),
                Arguments.of("ciphertext shorter than a tag", 400, "invalid-message",
                        (Consumer<Map<String, Object>>) m -> m.put("ciphertext", TestUser.randomBase64(15))),
                Arguments.of("someone else as sender", 403, "sender-mismatch",
                        (Consumer<Map<String, Object>>) m -> m.put("senderId", UUID.randomUUID().toString())),
                Arguments.of("$-operator key", 400, "malformed-request",
                        (Consumer<Map<String, Object>>) m -> m.put("$set", Map.of("seq", 1))),
                Arguments.of("another session in the body", 400, "invalid-message",
                        (Consumer<Map<String, Object>>) m -> m.put("sessionId", UUID.randomUUID().toString())),
                Arguments.of("unknown format version", 422, "unsupported-format",
                        (Consumer<Map<String, Object>>) m -> m.put("formatVersion", 2)),
                Arguments.of("old sender key version", 409, "stale-sender-key",
                        (Consumer<Map<String, Object>>) m -> m.put("senderKeyVersion", 7)),
                Arguments.of("epoch as text", 400, "malformed-request",
                        (Consumer<Map<String, Object>>) m -> m.put("epoch", "1")),
                Arguments.of("fractional epoch", 400, "malformed-request",
                        (Consumer<Map<String, Object>>) m -> m.put("epoch", 1.5)),
                Arguments.of("clientTime beyond year 9999", 400, "malformed-request",
                        (Consumer<Map<String, Object>>) m -> m.put("clientTime", "+1000000000-01-01T00:00:00Z")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedSendsAreRefusedAndStoreNothing(String name, int status, String slug, Consumer<Map<String, Object>> edit) {
        List<TestUser> u = chat.users(2);
        String id = chat.group(u);
        Map<String, Object> body = message(1);
        edit.accept(body);
        chat.send(u.get(0), id, body).then().statusCode(status).contentType("application/problem+json")
                .body("type", equalTo("urn:e2echat:problem:" + slug));
        chat.read(u.get(0), id, "").then().body("messages.size()", equalTo(0));
    }

    @Test
    void theLargestCiphertextTheFormatCanSignIsAccepted() {
        List<TestUser> u = chat.users(2);
        String id = chat.group(u);
        Map<String, Object> body = message(1);
        body.put("ciphertext", TestUser.randomBase64(65_535));
        chat.send(u.get(0), id, body).then().statusCode(201);
    }

    @Test
    void theCiphertextCapCanBeLoweredButNeverRaisedAboveWhatTheFormatCanSign() {
        java.util.function.IntFunction<org.e2echat.message.domain.MessageService> withCap = cap ->
                new org.e2echat.message.domain.MessageService(null, null, () -> { }, () -> { }, cap, 50, 200,
                        java.time.Clock.systemUTC());
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> withCap.apply(65_535));
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> withCap.apply(4_096));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> withCap.apply(65_536));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> withCap.apply(15));
    }

    @Test
    void nonMembersUnknownSessionsStaleEpochsAndReusedNoncesAreRefused() {
        List<TestUser> u = chat.users(3);
        String id = chat.group(u.subList(0, 2));
        TestUser outsider = u.get(2);
        chat.send(outsider, id, message(1)).then().statusCode(404).body("type", equalTo("urn:e2echat:problem:not-found"));
        chat.send(u.get(0), UUID.randomUUID().toString(), message(1)).then().statusCode(404);
        chat.send(u.get(0), "not-a-session", message(1)).then().statusCode(404);
        chat.send(u.get(0), id, message(2)).then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:stale-epoch")).body("currentEpoch", equalTo(1));

        Map<String, Object> first = message(1);
        chat.send(u.get(0), id, first).then().statusCode(201);
        Map<String, Object> sameNonce = message(1);
        sameNonce.put("nonce", first.get("nonce"));
        chat.send(u.get(1), id, sameNonce).then().statusCode(409).body("type", equalTo("urn:e2echat:problem:nonce-reused"));
        chat.read(u.get(0), id, "").then().body("messages.size()", equalTo(1));
    }

    @Test
    void removedMembersAndSessionsNeedingARekeyCannotSend() {
        List<TestUser> u = chat.users(3);
        String id = chat.group(u);
        chat.remove(u.get(0), id, u.get(2)).then().statusCode(204);
        // the removal has returned: the removed member's next send is refused
        chat.send(u.get(2), id, message(1)).then().statusCode(403)
                .body("type", equalTo("urn:e2echat:problem:membership-ended"));
        chat.send(u.get(1), id, message(1)).then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:rekey-required"))
                .body("currentEpoch", equalTo(1))
                .body("reason", equalTo("MEMBER_REMOVED"));
        chat.rotate(u.get(0), id, 2, u.subList(0, 2), List.of()).then().statusCode(200);
        chat.send(u.get(1), id, message(1)).then().statusCode(409).body("type", equalTo("urn:e2echat:problem:stale-epoch"));
        chat.send(u.get(1), id, message(2)).then().statusCode(201).body("seq", equalTo(1));
        chat.read(u.get(0), id, "").then().body("messages.size()", equalTo(1));
    }
}
