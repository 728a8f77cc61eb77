package org.e2echat.client.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.e2echat.client.sdk.StubServices.StubStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The live connection: frames continue the caught-up timeline, and a contradicting live message repairs it. */
class LiveConnectionTest {

    @RegisterExtension
    final StubServices services = new StubServices();
    private final StubStore store = new StubStore();



    private ChatClient aliceWithThreeMessages(StubGateway gateway, String[] sid) throws Exception {
        ChatClient alice = ChatClient.register(services.endpointsWithGateway(gateway.port()), "alice", "Alice",
                "long enough password");
        sid[0] = services.groupWithCaughtUp(alice, store, "one", "two", "three");
        return alice;
    }

    @Test
    void liveMessagesAfterACatchUpContinueItAndNeverRepeatTheHistory() throws Exception {
        try (StubGateway gateway = new StubGateway("u-alice")) {
            String[] sid = new String[1];
            ChatClient alice = aliceWithThreeMessages(gateway, sid);
            Heard heard = new Heard();
            alice.addListener(heard);
            alice.stayConnected();

            alice.send(sid[0], "four");
            alice.send(sid[0], "five");
            heard.awaitedId = store.at(5).path("messageId").asText();
            // seq 5 arrives first: seq 4 is a gap, paged before it; 1-3 were caught up already
            gateway.sendText("{\"type\":\"message\",\"message\":" + store.at(5) + "}");
            gateway.sendText("{\"type\":\"message\",\"message\":" + store.at(4) + "}");
            heard.done.get(10, TimeUnit.SECONDS);

            assertEquals(List.of("4:m4", "5:m5"), heard.events);
            assertEquals(5, alice.messages(sid[0]).size());
            alice.close();
        }
    }

    @Test
    void aLiveMessageAtAHeldSeqWithAnotherIdRepairsTheTimelineAndIsShown() throws Exception {
        try (StubGateway gateway = new StubGateway("u-alice")) {
            String[] sid = new String[1];
            ChatClient alice = aliceWithThreeMessages(gateway, sid);
            Heard heard = new Heard();
            alice.addListener(heard);
            alice.connect();

            store.loseFrom(2);
            alice.send(sid[0], "real two");
            heard.awaitedId = store.at(2).path("messageId").asText();
            gateway.sendText("{\"type\":\"message\",\"message\":" + store.at(2) + "}");

            heard.done.get(10, TimeUnit.SECONDS);
            assertEquals(List.of("1:m1:one", "2:m4:real two"), MessagingTest.ids(alice.messages(sid[0])),
                    "the phantom at seq 2 and the one after it are gone; the real seq 2 is shown");
            assertEquals(List.of("repaired@2", "2:m4"), heard.events);
            alice.close();
        }
    }
}
