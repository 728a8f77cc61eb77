package org.e2echat.client.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.e2echat.contracts.frames.Frames.CloseCodes;

/**
 * The gateway WebSocket: connects with the access token, hands every frame to one event thread
 * (so a session's messages are processed in order), and — when asked to stay connected —
 * reconnects by itself after any close it did not ask for, with exponential backoff and jitter,
 * refreshing the token when it expired and catching up every followed session afterwards
 * (protocol.md, reconnect procedure).
 */
final class LiveConnection {

    private final Endpoints endpoints;
    private final Transport transport;
    private final Authentication auth;
    private final Messaging messaging;
    private final Listeners listeners;
    /** Incoming frames and catch-up run here, one at a time, so a session's messages are processed in order. */
    private final ExecutorService events;
    /** Reconnection after unexpected closes and periodic chores; one at a time. */
    private final ScheduledExecutorService timer;
    /** Bumped by every connect and every close handled, so one socket's close is acted on once. */
    private final AtomicLong generation = new AtomicLong();
    private final Runnable afterReconnect;
    private volatile boolean stayConnected;
    private volatile Duration firstDelay = Duration.ofMillis(500);
    private volatile Duration maxDelay = Duration.ofSeconds(30);
    private volatile WebSocket socket;
    private volatile CompletableFuture<JsonNode> hello;
    private volatile CompletableFuture<Integer> closed;

    /** {@code afterReconnect} runs on the event thread after each reconnect, before listeners hear of it. */
    LiveConnection(Endpoints endpoints, Transport transport, Authentication auth, Messaging messaging,
            Listeners listeners, String name, Runnable afterReconnect) {
        this.endpoints = endpoints;
        this.transport = transport;
        this.auth = auth;
        this.messaging = messaging;
        this.listeners = listeners;
        this.afterReconnect = afterReconnect;
        this.events = Executors.newSingleThreadExecutor(r -> daemon(r, "chat-client-" + name));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "chat-client-reconnect-" + name));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Runs {@code task} on the event thread, in order with the frames. */
    void onEventThread(Runnable task) {
        try {
            events.execute(task);
        } catch (RejectedExecutionException closedAlready) {
            // close() ran meanwhile: nobody is listening any more
        }
    }

    /** Runs {@code task} every {@code period} until closed; a failure is reported and the next run still happens. */
    void every(Duration period, Runnable task) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                onEventThread(() -> listeners.each(l -> l.onError(e)));
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Opens the socket and waits for {@code hello}; live frames are then processed in order. */
    void connect() {
        hello = new CompletableFuture<>();
        closed = new CompletableFuture<>();
        long gen = generation.incrementAndGet();
        socket = transport.http().newWebSocketBuilder().header("Authorization", "Bearer " + auth.accessToken())
                .subprotocols("chat.v1").connectTimeout(Duration.ofSeconds(10))
                .buildAsync(endpoints.webSocket(), new Frames(gen)).orTimeout(20, TimeUnit.SECONDS).join();
        hello.orTimeout(20, TimeUnit.SECONDS).join();
    }

    /** See {@link ChatClient#stayConnected(Duration, Duration)}. */
    void stayConnected(Duration firstDelay, Duration maxDelay) {
        if (firstDelay.isNegative() || firstDelay.isZero() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("need 0 < firstDelay <= maxDelay");
        }
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
        stayConnected = true;
        if (!connected()) {
            connect();
        }
    }

    /** A socket this client holds closed without being asked to: decide whether and when to reconnect. */
    private void closedUnexpectedly(long gen, int code, String reason) {
        if (!stayConnected || !generation.compareAndSet(gen, gen + 1)) {
            return; // not wanted, or this socket's close was already handled / superseded
        }
        if (code == CloseCodes.POLICY && CloseCodes.ACCOUNT_DELETED.equals(reason)) {
            stayConnected = false;
            return;
        }
        boolean tokenExpired = code == CloseCodes.POLICY && CloseCodes.TOKEN_EXPIRED.equals(reason);
        scheduleReconnect(1, tokenExpired, null);
    }

    private void scheduleReconnect(int attempt, boolean refreshFirst, Throwable cause) {
        Duration delay = backoff(attempt);
        try {
            events.execute(() -> listeners.each(l -> l.onReconnecting(attempt, delay, cause)));
            timer.schedule(() -> reconnect(attempt, refreshFirst), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closedAlready) {
            stayConnected = false; // close() ran meanwhile
        }
    }

    /** Half the capped exponential delay, plus a random part of the other half. */
    private Duration backoff(int attempt) {
        long first = firstDelay.toMillis();
        long cap = Math.min(maxDelay.toMillis(), first << Math.min(attempt - 1, 20));
        return Duration.ofMillis(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
    }

    private void reconnect(int attempt, boolean refreshFirst) {
        if (!stayConnected) {
            return;
        }
        try {
            if (refreshFirst) {
                auth.refresh();
            }
            String token = auth.accessToken();
            try {
                connect();
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof WebSocketHandshakeException h) || h.getResponse().statusCode() != 401) {
                    throw e;
                }
                auth.refreshUnlessRenewed(token);
                connect();
            }
            List<String> sessionIds = messaging.followed();
            CompletableFuture.runAsync(() -> {
                for (String sessionId : sessionIds) {
                    try {
                        messaging.catchUp(sessionId);
                    } catch (RuntimeException e) {
                        listeners.each(l -> l.onError(e));
                    }
                }
                afterReconnect.run();
                listeners.each(l -> l.onReconnected(attempt));
            }, events).join();
        } catch (ChatApiException e) {
            if (e.status() == 401) {
                stayConnected = false; // the login is gone (revoked, expired or the account deleted)
                onEventThread(() -> listeners.each(l -> l.onError(e)));
                return;
            }
            retry(attempt, e);
        } catch (RuntimeException e) {
            retry(attempt, e);
        }
    }

    private void retry(int attempt, Throwable cause) {
        generation.incrementAndGet(); // a half-open socket of the failed attempt must not schedule too
        WebSocket ws = socket;
        if (ws != null && !ws.isInputClosed()) {
            ws.abort();
        }
        if (stayConnected) {
            scheduleReconnect(attempt + 1, false, cause instanceof CompletionException && cause.getCause() != null
                    ? cause.getCause() : cause);
        }
    }

    /** Connects and then catches up every given session, on the event thread. */
    void reconnect(List<String> sessionIds) {
        connect();
        CompletableFuture.runAsync(() -> sessionIds.forEach(messaging::catchUp), events).join();
    }

    /** Closes the socket normally (1000) and waits for the close to complete. */
    void disconnect() {
        stayConnected = false;
        generation.incrementAndGet();
        WebSocket ws = socket;
        socket = null;
        if (ws == null) {
            return;
        }
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            closed.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            ws.abort();
        }
    }

    boolean connected() {
        WebSocket ws = socket;
        return ws != null && !ws.isInputClosed();
    }

    void close() {
        disconnect();
        timer.shutdownNow();
        events.shutdownNow();
    }

    private void onFrame(String text) {
        JsonNode frame = transport.parse(text);
        switch (frame.path("type").asText()) {
            case "hello" -> hello.complete(frame);
            case "message" -> messaging.onLive(frame.path("message"));
            case "session" -> {
                String event = frame.path("event").asText();
                listeners.each(l -> l.onSessionEvent(event, frame.path("payload")));
            }
            case "error" -> {
                JsonNode p = frame.path("problem");
                ChatApiException e = new ChatApiException(p.path("status").asInt(), p.path("type").asText(),
                        p.path("detail").asText(null), p);
                listeners.each(l -> l.onError(e));
            }
            default -> {
                // pong, ack: nothing to do for REST senders.
            }
        }
    }

    /** Reassembles text frames and hands each to the event thread, so processing never blocks the socket. */
    private final class Frames implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private final long gen;

        Frames(long gen) {
            this.gen = gen;
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                onEventThread(() -> {
                    try {
                        onFrame(text);
                    } catch (RuntimeException e) {
                        listeners.each(l -> l.onError(e));
                    }
                });
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closed.complete(code);
            hello.completeExceptionally(new IllegalStateException("closed " + code));
            onEventThread(() -> listeners.each(l -> l.onClosed(code)));
            closedUnexpectedly(gen, code, reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(-1);
            hello.completeExceptionally(error);
            onEventThread(() -> listeners.each(l -> l.onClosed(-1)));
            closedUnexpectedly(gen, -1, null);
        }
    }
}
