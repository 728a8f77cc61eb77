package org.e2echat.client.sdk;

import static org.e2echat.client.sdk.StubServices.BODY;
import static org.e2echat.client.sdk.StubServices.json;
import static org.e2echat.client.sdk.StubServices.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.e2echat.client.crypto.EncryptedMessage;
import org.e2echat.client.crypto.MessageContent;
import org.e2echat.client.crypto.Messages;
import org.e2echat.client.sdk.ReceivedMessage.Unreadable;
import org.e2echat.client.sdk.StubServices.StubStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sending and reading: a send whose outcome is unknown is repeated unchanged; messages that cannot
 * be verified, decrypted or read are kept as unreadable at their seq without hiding the others; a
 * message store that loses acknowledged messages and gives their seqs to others is noticed and the
 * timeline repaired from it; catch-up pages.
 */
class MessagingTest {

    @RegisterExtension
    final StubServices services = new StubServices();
    private final StubStore store = new StubStore();



    static List<String> ids(List<ReceivedMessage> messages) {
        return messages.stream().map(m -> m.seq() + ":" + m.messageId() + ":"
                + (m.readable() ? m.text() : m.unreadable())).toList();
    }

    /** alice, a group on the store, and three messages she has caught up: m1, m2, m3 at seqs 1-3. */
    private ChatClient aliceWithThreeMessages(String[] sessionId) throws InterruptedException {
        ChatClient alice = services.alice();
        sessionId[0] = services.groupWithCaughtUp(alice, store, "one", "lost two", "lost three");
        return alice;
    }

    @Test
    void badMessagesAreShownAsUnreadableAtTheirSeqAndNeverHideTheOthers() throws Exception {
        ChatClient alice = services.alice();
        String sid = services.groupOn(alice, store);
        for (String text : List.of("one", "two", "three", "four", "five", "six")) {
            alice.send(sid, text);
        }
        byte[] flipped = Base64.getDecoder().decode(store.at(2).path("ciphertext").asText());
        flipped[0] ^= 1;
        store.tamper(2, m -> m.put("ciphertext", Base64.getEncoder().encodeToString(flipped))); // signature fails
        store.tamper(3, m -> m.put("senderKeyVersion", 9)); // a key the sender never had
        store.tamper(4, m -> m.put("epoch", 7)); // an epoch alice holds no key for
        store.tamper(5, m -> m.put("nonce", "not base64!")); // malformed stored fields

        List<ReceivedMessage> history = alice.readAll(sid);
        assertEquals(List.of("1:m1:one", "2:m2:NOT_VERIFIED", "3:m3:NOT_VERIFIED", "4:m4:NO_KEY", "5:m5:NOT_VALID",
                "6:m6:six"), ids(history));
        assertNull(history.get(1).text());
        assertEquals("alice", history.get(1).senderUsername(), "who sent it is still said");
        assertEquals("could not be verified", history.get(1).unreadable().description());

        Heard heard = new Heard();
        alice.addListener(heard);
        assertEquals(6, alice.catchUp(sid), "catch-up goes on past bad messages");
        assertEquals(List.of("1:m1", "2:m2", "3:m3", "4:m4", "5:m5", "6:m6"), heard.events);
        assertEquals(6, alice.timeline(sid).lastSeq(), "no gap left where the bad ones are");
        alice.close();
    }

    @Test
    void aMessageOfAnotherContentTypeIsReadableWithoutText() throws Exception {
        ChatClient alice = services.alice();
        String sid = services.groupOn(alice, store);
        EncryptedMessage receipt = Messages.encrypt(alice.epochKey(sid, 1), sid, 1, "u-alice", UUID.randomUUID(),
                new MessageContent("receipt", null), alice.ownIdentity(1));
        ObjectNode body = StubServices.JSON.createObjectNode().put("clientMessageId", receipt.clientMessageId().toString())
                .put("epoch", 1).put("suite", receipt.suite()).put("nonce", receipt.nonceBase64())
                .put("ciphertext", receipt.ciphertextBase64()).put("signature", receipt.signatureBase64())
                .put("formatVersion", receipt.formatVersion()).put("senderKeyVersion", 1);
        store.send(sid, body.toString().getBytes(StandardCharsets.UTF_8));
        ReceivedMessage read = alice.readAll(sid).get(0);
        assertTrue(read.readable());
        assertEquals("receipt", read.type());
        assertNull(read.text());
        alice.close();
    }

    @Test
    void aSendWhoseOutcomeIsUnknownIsRepeatedUnchangedAndTheServersFirstAnswerKept() throws Exception {
        ChatClient alice = services.alice();
        String sessionId = services.groupOn(alice, store);
        List<String> bodies = new CopyOnWriteArrayList<>();
        Map<String, ObjectNode> storedByClientId = new ConcurrentHashMap<>();
        services.routes.put("POST /v1/sessions/" + sessionId + "/messages", x -> {
            byte[] body = (byte[]) x.getAttribute(BODY);
            bodies.add(new String(body, StandardCharsets.UTF_8));
            String clientMessageId = read(body).path("clientMessageId").asText();
            ObjectNode earlier = storedByClientId.get(clientMessageId);
            if (earlier != null) {
                return json(200, earlier.toString());
            }
            StubServices.Answer stored = store.send(sessionId, body);
            storedByClientId.put(clientMessageId, (ObjectNode) read(stored.body().getBytes(StandardCharsets.UTF_8)));
            // stored, but the answer is lost to the client: it only sees the store going away
            x.getResponseHeaders().add("Retry-After", "1");
            return StubServices.problem(503, "dependency-unavailable");
        });

        long seq = alice.send(sessionId, "hello once");

        assertEquals(1, seq);
        assertEquals(2, bodies.size(), "one repeat after the 503");
        assertEquals(bodies.get(0), bodies.get(1), "the repeat is the identical request, so the server can replay it");
        assertEquals(List.of("1:m1"), store.view(), "stored once");
        alice.close();
    }

    @Test
    void aCatchUpThatFindsASeqReusedUnderAnotherIdRepairsTheTimelineFromTheServer() throws Exception {
        String[] sid = new String[1];
        ChatClient alice = aliceWithThreeMessages(sid);
        Heard heard = new Heard();
        alice.addListener(heard);

        store.loseFrom(2); // m2 and m3 were acknowledged, then lost; seqs 2 and 3 go to the next sends
        for (String text : List.of("real two", "real three", "real four")) {
            alice.send(sid[0], text);
        }
        alice.catchUp(sid[0]);

        assertEquals(List.of("1:m1:one", "2:m4:real two", "3:m5:real three", "4:m6:real four"),
                ids(alice.messages(sid[0])), "the server's answer wins");
        assertEquals(store.view(), alice.messages(sid[0]).stream().map(m -> m.seq() + ":" + m.messageId()).toList());
        assertEquals(List.of("repaired@2", "2:m4", "3:m5", "4:m6"), heard.events,
                "the listener hears of the repair, then gets the server's messages from there");
        assertEquals(4, alice.timeline(sid[0]).lastSeq());
        assertEquals(0, alice.catchUp(sid[0]), "repaired once; nothing new afterwards");
        assertEquals(List.of("repaired@2", "2:m4", "3:m5", "4:m6"), heard.events);
        alice.close();
    }

    @Test
    void aScrollbackThatContradictsTheTimelineRepairsIt() throws Exception {
        String[] sid = new String[1];
        ChatClient alice = aliceWithThreeMessages(sid);
        Heard heard = new Heard();
        alice.addListener(heard);

        store.loseFrom(3);
        alice.send(sid[0], "real three");
        List<ReceivedMessage> history = alice.readAll(sid[0]);

        assertEquals(List.of("1:m1:one", "2:m2:lost two", "3:m4:real three"), ids(history));
        assertEquals(ids(history), ids(alice.messages(sid[0])));
        assertEquals(List.of("repaired@3", "3:m4"), heard.events);
        alice.close();
    }

    @Test
    void aMemberWhoJoinedLateCatchesUpInPagesAndThenOnlyReadsWhatIsNew() throws Exception {
        ChatClient alice = services.alice();
        String sid = services.groupOn(alice, store);
        store.nextSeq = 101; // seqs 1-100 are from epochs before this member joined: never visible
        for (int i = 0; i < 250; i++) {
            alice.send(sid, "m" + i);
        }
        int added = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> alice.catchUp(sid));
        assertEquals(250, added);
        assertEquals(350, alice.timeline(sid).lastSeq(), "the seqs never visible are no gap");
        assertFalse(alice.timeline(sid).gapBefore(351));
        int reads = store.pageReads;
        assertEquals(0, alice.catchUp(sid));
        assertEquals(reads + 1, store.pageReads, "a catch-up with nothing new is one page");
        alice.close();
    }
}
