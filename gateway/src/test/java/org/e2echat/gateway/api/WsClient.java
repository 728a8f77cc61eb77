package org.e2echat.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A real WebSocket client (the JDK's) that records frames and the close code. */
final class WsClient implements WebSocket.Listener {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private WebSocket socket;

    /** Connects with {@code Authorization: Bearer}. */
    static WsClient withHeader(URI ws, String token) {
        return connect(HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .subprotocols("chat.v1"), ws, true);
    }

    /** Connects as a browser would: the token in the subprotocol carrier, next to chat.v1. */
    static WsClient withCarrier(URI ws, String token) {
        String carrier = "quarkus-http-upgrade#Authorization#"
                + URLEncoder.encode("Bearer " + token, StandardCharsets.UTF_8).replace("+", "%20");
        return connect(HTTP.newWebSocketBuilder().subprotocols("chat.v1", carrier), ws, true);
    }

    static WsClient connect(WebSocket.Builder builder, URI ws, boolean read) {
        WsClient client = new WsClient();
        client.reading.set(read);
        client.socket = builder.buildAsync(ws, client).orTimeout(20, TimeUnit.SECONDS).join();
        return client;
    }

    /** Stops asking for frames: the client stops reading and the server's writes back up. */
    void stopReading() {
        reading.set(false);
    }

    void resumeReading() {
        reading.set(true);
        socket.request(Long.MAX_VALUE);
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    /** The next frame of {@code type}, skipping others (which stay recorded in order). */
    JsonNode next(String type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode frame = frames.poll(50, TimeUnit.MILLISECONDS);
            if (frame != null && type.equals(frame.path("type").asText())) {
                return frame;
            }
        }
        throw new AssertionError("no " + type + " frame within " + timeout);
    }

    /** When the close frame arrived (epoch ms) and its reason; set once {@link #closeCode} returned a code. */
    volatile long closedAtMillis;
    volatile String closeReason;

    int closeCode(Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                frames.add(JSON.createObjectNode().put("type", "unparsable"));
            }
            partial.setLength(0);
        }
        if (reading.get()) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closedAtMillis = System.currentTimeMillis();
        closeReason = reason;
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }
}
