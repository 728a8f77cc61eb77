package org.e2echat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline every gateway figure is divided by: the least a broadcast server can do on plain
 * Vert.x with one event loop. Clients connect to {@code /ws} naming their user in a header (no
 * authentication); each event written to {@code /inject} (the JSON a {@code chat.messages}
 * record carries) becomes the same {@code message} frame the gateway sends, encoded once and
 * written to every connection of every recipient. Runs as its own process, so /proc measures it
 * alone: {@code java -cp ... org.e2echat.bench.BareBroadcastServer PORT}; prints
 * {@code READY <port>} once listening.
 */
public final class BareBroadcastServer {

    public static final String USER_HEADER = "X-Bench-User";

    private final ObjectMapper json = new ObjectMapper();
    // touched on the one event loop only
    private final Map<String, List<ServerWebSocket>> byUser = new HashMap<>();

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        BareBroadcastServer server = new BareBroadcastServer();
        vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1")
                        .setMaxWebSocketMessageSize(1 << 20).setMaxWebSocketFrameSize(1 << 20))
                .webSocketHandler(server::accept)
                .listen()
                .onSuccess(s -> {
                    System.out.println("READY " + s.actualPort());
                    System.out.flush();
                })
                .onFailure(e -> {
                    System.err.println("cannot listen: " + e);
                    System.exit(1);
                });
    }

    private void accept(ServerWebSocket ws) {
        if ("/inject".equals(ws.path())) {
            ws.textMessageHandler(this::broadcast);
            return;
        }
        String user = ws.headers().get(USER_HEADER);
        if (!"/ws".equals(ws.path()) || user == null) {
            ws.reject(400);
            return;
        }
        byUser.computeIfAbsent(user, u -> new ArrayList<>(1)).add(ws);
        ws.closeHandler(v -> {
            List<ServerWebSocket> links = byUser.get(user);
            if (links != null) {
                links.remove(ws);
                if (links.isEmpty()) {
                    byUser.remove(user);
                }
            }
        });
        ws.textMessageHandler(t -> { });
    }

    private void broadcast(String event) {
        JsonNode envelope;
        try {
            envelope = json.readTree(event);
        } catch (IOException e) {
            return;
        }
        ObjectNode payload = (ObjectNode) envelope.path("payload");
        JsonNode recipients = payload.remove("recipients");
        ObjectNode frame = json.createObjectNode();
        frame.put("type", "message");
        frame.set("message", payload);
        String text = frame.toString();
        for (JsonNode recipient : recipients) {
            List<ServerWebSocket> links = byUser.get(recipient.asText());
            if (links != null) {
                for (ServerWebSocket ws : links) {
                    ws.writeTextMessage(text);
                }
            }
        }
    }
}
