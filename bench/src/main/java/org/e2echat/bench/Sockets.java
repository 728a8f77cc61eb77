package org.e2echat.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * The receiving side: one WebSocket per user to one server (the gateway or the baseline), each
 * reporting the {@code message} frames it gets to the current {@link Tracker}. Also the socket a
 * user sends {@code send} frames on in the end-to-end scenario.
 */
public final class Sockets implements AutoCloseable {

    private static final String MESSAGE_FRAME = "{\"type\":\"message\"";
    private static final String ERROR_FRAME = "{\"type\":\"error\"";
    private static final String KEY_FIELD = "\"clientMessageId\":\"";

    private final String label;
    private final WebSocketClient client;
    private final List<WebSocket> sockets;
    private final AtomicReference<Tracker> tracker = new AtomicReference<>();
    private final LongAdder unexpectedCloses = new LongAdder();
    private final LongAdder errorFrames = new LongAdder();
    private final Map<String, LongAdder> errorTypes = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private int failed;

    private Sockets(String label, WebSocketClient client, int n) {
        this.label = label;
        this.client = client;
        this.sockets = new ArrayList<>(java.util.Collections.nCopies(n, null));
    }

    /**
     * Opens {@code n} sockets to {@code ws://127.0.0.1:port/ws}, at most {@code parallel} handshakes
     * at a time; {@code options} gives user i's headers. Prints progress; returns when all have
     * answered (connected or failed).
     */
    public static Sockets open(Vertx vertx, String label, int port, int n, int parallel,
            IntFunction<WebSocketConnectOptions> options, Watchdog watchdog) throws InterruptedException {
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(n + 16)
                .setConnectTimeout(30_000).setMaxMessageSize(1 << 20).setMaxFrameSize(1 << 20));
        Sockets s = new Sockets(label, client, n);
        Semaphore window = new Semaphore(parallel);
        LongAdder done = new LongAdder();
        long started = System.nanoTime();
        long lastPrint = started;
        int[] failures = new int[1];
        String[] firstFailure = new String[1];
        for (int i = 0; i < n; i++) {
            while (!window.tryAcquire(1, TimeUnit.SECONDS)) {
                watchdog.check();
            }
            int index = i;
            // a browser would send an Origin; this client is not one (the gateway checks Origins it is sent)
            WebSocketConnectOptions o = options.apply(i).setHost("127.0.0.1").setPort(port).setURI("/ws")
                    .setAllowOriginHeader(false);
            Future<WebSocket> f = client.connect(o);
            f.onComplete(ar -> {
                if (ar.succeeded()) {
                    s.attach(index, ar.result());
                } else {
                    synchronized (failures) {
                        failures[0]++;
                        if (firstFailure[0] == null) {
                            firstFailure[0] = String.valueOf(ar.cause());
                        }
                    }
                }
                done.increment();
                window.release();
            });
            if (System.nanoTime() - lastPrint > 2_000_000_000L) {
                lastPrint = System.nanoTime();
                System.out.printf("[%s] connecting: %d/%d answered, %d failed%n", label, done.sum(), n, failures[0]);
            }
        }
        window.acquire(parallel);
        window.release(parallel);
        s.failed = failures[0];
        System.out.printf("[%s] %d/%d connected in %.1f s%s%n", label, n - failures[0], n,
                (System.nanoTime() - started) / 1e9, firstFailure[0] == null ? "" : "; first failure: " + firstFailure[0]);
        return s;
    }

    private void attach(int index, WebSocket ws) {
        synchronized (sockets) {
            sockets.set(index, ws);
        }
        ws.textMessageHandler(text -> onText(index, text));
        ws.closeHandler(v -> {
            if (!closing) {
                unexpectedCloses.increment();
            }
        });
        ws.exceptionHandler(e -> { });
    }

    private void onText(int index, String text) {
        long now = System.nanoTime();
        Tracker t = tracker.get();
        if (t == null) {
            return;
        }
        if (text.startsWith(MESSAGE_FRAME)) {
            t.received(key(text), index, now);
        } else if (text.startsWith(ERROR_FRAME)) {
            errorFrames.increment();
            String type = between(text, "\"type\":\"", 1);
            errorTypes.computeIfAbsent(type == null ? "?" : type, k -> new LongAdder()).increment();
            String key = key(text);
            if (key != null) {
                t.sendFailed(key);
            }
        }
    }

    private static String key(String text) {
        return between(text, KEY_FIELD, 0);
    }

    /** The string value after the {@code occurrence}-th (0-based) appearance of {@code field}. */
    private static String between(String text, String field, int occurrence) {
        int at = -1;
        for (int i = 0; i <= occurrence; i++) {
            at = text.indexOf(field, at + 1);
            if (at < 0) {
                return null;
            }
        }
        int start = at + field.length();
        int end = text.indexOf('"', start);
        return end < 0 ? null : text.substring(start, end);
    }

    public void track(Tracker t) {
        tracker.set(t);
    }

    /** User i's socket, or null if it never connected. */
    public WebSocket socket(int i) {
        synchronized (sockets) {
            return sockets.get(i);
        }
    }

    public int connected() {
        return sockets.size() - failed;
    }

    public int failed() {
        return failed;
    }

    public long unexpectedCloses() {
        return unexpectedCloses.sum();
    }

    public long errorFrames() {
        return errorFrames.sum();
    }

    public Map<String, Long> errorTypes() {
        Map<String, Long> m = new java.util.TreeMap<>();
        errorTypes.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    @Override
    public void close() {
        closing = true;
        List<Future<Void>> closes = new ArrayList<>();
        synchronized (sockets) {
            for (WebSocket ws : sockets) {
                if (ws != null && !ws.isClosed()) {
                    closes.add(ws.close());
                }
            }
        }
        Promise<Void> all = Promise.promise();
        Future.join(new ArrayList<>(closes)).onComplete(ar -> all.tryComplete());
        try {
            all.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // whatever did not confirm is torn down with the client
        }
        client.close();
    }
}
