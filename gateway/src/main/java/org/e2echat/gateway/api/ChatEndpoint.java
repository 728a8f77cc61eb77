package org.e2echat.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.Authenticated;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.e2echat.common.peer.PeerHttp;
import org.e2echat.common.problem.ProblemException;
import org.e2echat.common.ratelimit.TokenBucket;
import org.e2echat.common.validation.Requests;
import org.e2echat.contracts.frames.Frames;
import org.e2echat.gateway.config.GatewayConfig;
import org.e2echat.gateway.domain.ConnectionRegistry;
import org.e2echat.gateway.domain.Link;
import org.e2echat.gateway.security.SocketUser;
import org.e2echat.gateway.security.UpgradeGuard;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The WebSocket endpoint {@code /ws} (subprotocol {@code chat.v1}), authenticated on the upgrade.
 * Sends {@code hello}, then pushes frames from the fan-out; accepts {@code send} (forwarded to
 * message-service as the user) and {@code ping}. Closes on token expiry (1008), rate abuse (1008),
 * an outbound queue over its byte bound (1013), shutdown and unanswered heartbeats (1001); oversized frames are
 * closed with 1009. Every such close is a handshake bounded by {@link ConnectionTeardown}. Frames
 * refused by a full queue are counted ({@code e2echat_gateway_fanout_dropped_total}).
 */
@WebSocket(path = "/ws")
@Authenticated
public class ChatEndpoint {

    private static final Logger LOG = Logger.getLogger(ChatEndpoint.class);

    private final Map<String, Conn> conns = new ConcurrentHashMap<>();
    private final ConnectionRegistry registry;
    private final GatewayConfig config;
    private final PeerHttp peer;
    private final ObjectMapper json;
    private final FrameWriter writer;
    private final ConnectionTeardown teardown;
    private final Counter dropped;
    private final String messageService;

    public ChatEndpoint(ConnectionRegistry registry, GatewayConfig config, PeerHttp peer,
            ObjectMapper json, FrameWriter writer, ConnectionTeardown teardown, MeterRegistry meters,
            @ConfigProperty(name = "e2echat.message-service.url") String messageService) {
        this.registry = registry;
        this.config = config;
        this.peer = peer;
        this.json = json;
        this.writer = writer;
        this.teardown = teardown;
        this.dropped = Counter.builder("e2echat.gateway.fanout.dropped")
                .description("Frames not written to a connection because its outbound queue was full (it is closed with 1013)")
                .register(meters);
        this.messageService = messageService.replaceAll("/+$", "");
    }

    /**
     * One connection: its user, when its token expires, its rate limit and how many bytes are
     * queued for it. The token itself is not copied here: a send reads it from the handshake
     * headers, which websockets-next keeps for the connection anyway.
     */
    final class Conn implements Link, FrameWriter.Target {
        final WebSocketConnection connection;
        final ChannelHandlerContext transport;
        final String userId;
        final long expiresAtMillis;
        final TokenBucket bucket;
        final AtomicInteger violations = new AtomicInteger();
        volatile long queuedBytes;
        volatile long lastHeard = System.nanoTime();
        /** Touched on the transport's event loop only (FrameWriter's drain). */
        boolean unflushed;

        Conn(WebSocketConnection connection, ChannelHandlerContext transport, SocketUser user) {
            this.connection = connection;
            this.transport = transport;
            this.userId = user.userId();
            this.expiresAtMillis = user.expiresAtMillis();
            this.bucket = new TokenBucket(config.framesPerSecond(), config.frameBurst(), System.nanoTime());
        }

        @Override
        public String id() {
            return connection.id();
        }

        @Override
        public String userId() {
            return userId;
        }

        @Override
        public long lastHeardNanos() {
            return lastHeard;
        }

        @Override
        public long expiresAtMillis() {
            return expiresAtMillis;
        }

        /** The bearer token the connection was opened with (forwarded with each send). */
        String token() {
            String authorization = connection.handshakeRequest().header("Authorization");
            return authorization == null ? null : authorization.substring("Bearer ".length()).trim();
        }

        /**
         * Queues the frame unless more than {@code outbound-queue-bytes} would then wait for this
         * connection (a frame larger than the bound still goes to a connection with nothing queued).
         */
        @Override
        public boolean offer(byte[] frame) {
            long before = QUEUED.getAndAdd(this, frame.length);
            if (before > 0 && before + frame.length > config.outboundQueueBytes()) {
                QUEUED.addAndGet(this, -frame.length);
                dropped.increment();
                return false;
            }
            if (transport != null) {
                writer.write(this, frame);
            } else {
                connection.sendText(new String(frame, StandardCharsets.UTF_8)).subscribe()
                        .with(ok -> done(frame.length), failure -> done(frame.length));
            }
            return true;
        }

        @Override
        public ChannelHandlerContext transport() {
            return transport;
        }

        @Override
        public boolean closing() {
            return connection.isClosed();
        }

        @Override
        public void done(int bytes) {
            QUEUED.addAndGet(this, -bytes);
        }

        @Override
        public boolean markUnflushed() {
            boolean was = unflushed;
            unflushed = true;
            return !was;
        }

        @Override
        public void clearUnflushed() {
            unflushed = false;
        }

        @Override
        public CompletionStage<Void> close(int code, String reason) {
            conns.remove(id());
            return teardown.close(connection, code, reason).subscribeAsCompletionStage();
        }
    }

    private static final AtomicLongFieldUpdater<Conn> QUEUED = AtomicLongFieldUpdater.newUpdater(Conn.class,
            "queuedBytes");

    @OnOpen
    public Uni<Void> onOpen(WebSocketConnection connection) {
        SocketUser user = connection.userData().get(UpgradeGuard.USER);
        if (user == null) {
            // UpgradeGuard verifies every upgrade and hands its user over; nothing else opens a socket
            return teardown.close(connection, Frames.CloseCodes.POLICY, "not authenticated");
        }
        Conn conn = new Conn(connection, teardown.transport(connection), user);
        if (!registry.add(conn)) {
            return teardown.close(connection, Frames.CloseCodes.POLICY, "too many connections for this user");
        }
        conns.put(connection.id(), conn);
        return connection.sendText(encode(Frames.Hello.of(conn.userId, connection.id(), Instant.now(),
                config.heartbeatSeconds())));
    }

    @OnTextMessage
    public Uni<Void> onText(String text, WebSocketConnection connection) {
        Conn conn = conns.get(connection.id());
        if (conn == null) {
            return Uni.createFrom().voidItem();
        }
        conn.lastHeard = System.nanoTime();
        if (exceedsUtf8Bytes(text, config.maxFrameBytes())) {
            registry.remove(conn);
            conn.close(Frames.CloseCodes.TOO_BIG, "frame larger than " + config.maxFrameBytes());
            return Uni.createFrom().voidItem();
        }
        if (!conn.bucket.tryTake(System.nanoTime())) {
            if (conn.violations.incrementAndGet() >= config.violationsBeforeClose()) {
                registry.remove(conn);
                conn.close(Frames.CloseCodes.POLICY, "rate limit exceeded");
                return Uni.createFrom().voidItem();
            }
            return error(connection, null, new ProblemException(429, "rate-limited", "Too many frames",
                    "Slow down: at most " + config.framesPerSecond() + " frames per second.", Map.of(),
                    Map.of()));
        }
        JsonNode frame;
        try {
            frame = json.readTree(text);
        } catch (IOException e) {
            frame = null;
        }
        if (frame == null || !frame.isObject() || !frame.path("type").isTextual()) {
            return error(connection, null, ProblemException.badRequest("malformed-frame",
                    "Frames are JSON objects with a string type."));
        }
        return switch (frame.path("type").asText()) {
            case "ping" -> connection.sendText(encode(Frames.Pong.now()));
            case "send" -> send(conn, (ObjectNode) frame);
            default -> error(connection, null, ProblemException.badRequest("unknown-frame",
                    "Unknown frame type; clients send send and ping."));
        };
    }

    /**
     * Whether the frame is larger than {@code limit} on the wire, in UTF-8 bytes (a character is one
     * to three bytes, a surrogate pair four), counting no further than needed.
     */
    static boolean exceedsUtf8Bytes(String text, int limit) {
        if ((long) text.length() * 3 <= limit) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < text.length() && bytes <= limit; i++) {
            char ch = text.charAt(i);
            if (ch < 0x80) {
                bytes += 1;
            } else if (ch < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(ch) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes > limit;
    }

    /** The answer to the server's automatic ping: the peer is alive (see DeadPeerReaper). */
    @OnPongMessage
    public void onPong(Buffer data, WebSocketConnection connection) {
        Conn conn = conns.get(connection.id());
        if (conn != null) {
            conn.lastHeard = System.nanoTime();
        }
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        Conn conn = conns.remove(connection.id());
        if (conn != null) {
            registry.remove(conn);
        }
    }

    private Uni<Void> send(Conn conn, ObjectNode frame) {
        String clientMessageId = frame.path("clientMessageId").isTextual() ? frame.path("clientMessageId").asText() : null;
        String sessionId = frame.path("sessionId").asText("");
        if (!Requests.isId(sessionId)) {
            return error(conn.connection, clientMessageId, ProblemException.notFound("No such session."));
        }
        ObjectNode body = frame.deepCopy();
        body.remove("type");
        return peer.post(URI.create(messageService + "/v1/sessions/" + sessionId + "/messages"), conn.token(),
                body.toString())
                .flatMap(reply -> conn.connection.sendText(encode(Frames.Ack.of(clientMessageId, sessionId,
                        reply.body().path("messageId").asText(), reply.body().path("seq").asLong(),
                        reply.body().path("epoch").asInt()))))
                .onFailure(ProblemException.class).recoverWithUni(e -> error(conn.connection, clientMessageId,
                        (ProblemException) e));
    }

    private Uni<Void> error(WebSocketConnection connection, String clientMessageId, ProblemException problem) {
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = json.convertValue(problem.toProblem("/ws"), Map.class);
        return connection.sendText(encode(Frames.ErrorFrame.of(clientMessageId, fields)));
    }

    private String encode(Object frame) {
        try {
            return json.writeValueAsString(frame);
        } catch (IOException e) {
            LOG.errorf("cannot encode %s", frame.getClass().getSimpleName());
            throw new IllegalStateException(e);
        }
    }
}
