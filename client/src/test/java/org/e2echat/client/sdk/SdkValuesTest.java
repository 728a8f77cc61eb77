package org.e2echat.client.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Problem mapping, the WebSocket address, and redaction of plaintext in toString. */
class SdkValuesTest {

    @Test
    void problemSlugAndExtensionsAreExposed() {
        ObjectNode problem = new ObjectMapper().createObjectNode().put("type", "urn:e2echat:problem:rekey-required")
                .put("currentEpoch", 3);
        ChatApiException e = new ChatApiException(409, problem.path("type").asText(), "rotate first", problem);
        assertEquals("rekey-required", e.slug());
        assertTrue(e.is(409, "rekey-required"));
        assertFalse(e.is(409, "stale-epoch"));
        assertFalse(e.is(400, "rekey-required"));
        assertEquals(3, e.problem().path("currentEpoch").asInt());
        assertEquals("about:blank", new ChatApiException(500, "about:blank", null, problem).slug());
    }

    @Test
    void webSocketAddressFollowsTheGatewayScheme() {
        URI http = URI.create("http://127.0.0.1:1");
        assertEquals(URI.create("ws://gw:8080/ws"),
                new Endpoints(http, http, http, URI.create("http://gw:8080")).webSocket());
        assertEquals(URI.create("wss://gw.example/ws"),
                new Endpoints(http, http, http, URI.create("https://gw.example")).webSocket());
    }

    @Test
    void receivedMessageNeverPrintsItsText() {
        ReceivedMessage m = new ReceivedMessage("m1", "s1", 1, 2, "alice", "alice", "Alice", "text",
                "secret words", null);
        assertFalse(m.toString().contains("secret words"));
        assertTrue(m.toString().contains("m1"));
    }
}
