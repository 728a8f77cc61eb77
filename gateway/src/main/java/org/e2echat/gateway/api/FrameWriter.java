package org.e2echat.gateway.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.EventExecutor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes fan-out frames that are already UTF-8 bytes to WebSocket transports, the same bytes for
 * every recipient: each write wraps the shared array (no copy, no re-encoding) in a Netty text frame
 * that goes down the connection's pipeline exactly as Vert.x's own {@code writeTextMessage} sends
 * it (frame encoder, and a compression extension if one was negotiated).
 *
 * <p>Why not websockets-next's {@code sendText}: it takes a String and encodes it to UTF-8 once per
 * recipient, and builds a Uni and a CompletionStage per write; its {@code WebSocketConnection} has
 * no "send these bytes as a text frame" and does not expose the Vert.x socket. The transport is
 * the Netty context {@link ConnectionTeardown} already takes from each upgrade.
 *
 * <p>Writes come from the fan-out's consumer thread. Instead of one event-loop task per write,
 * they queue in one mailbox per event loop, drained by one task that writes everything queued and
 * then flushes each connection once. Frames for a connection whose close has begun are dropped
 * (nothing may follow a close frame).
 */
@ApplicationScoped
public class FrameWriter {

    /** A connection frames are written to. */
    interface Target {

        ChannelHandlerContext transport();

        /** True once the connection's close began: frames queued for it are dropped. */
        boolean closing();

        /** {@code bytes} of a frame left the queue: written to the socket, failed or dropped. */
        void done(int bytes);

        /** Set by the drain on the transport's event loop only: whether a flush is owed. */
        boolean markUnflushed();

        void clearUnflushed();
    }

    private record Pending(Target target, byte[] frame) {
    }

    private final Map<EventExecutor, Mailbox> mailboxes = new ConcurrentHashMap<>();

    /** Queues {@code frame} for {@code target}; it is written on the transport's event loop. */
    void write(Target target, byte[] frame) {
        EventExecutor loop = target.transport().executor();
        mailboxes.computeIfAbsent(loop, Mailbox::new).offer(new Pending(target, frame));
    }

    private static final class Mailbox implements Runnable {
        private final EventExecutor loop;
        private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final List<Target> unflushed = new ArrayList<>();

        Mailbox(EventExecutor loop) {
            this.loop = loop;
        }

        void offer(Pending pending) {
            queue.add(pending);
            if (scheduled.compareAndSet(false, true)) {
                loop.execute(this);
            }
        }

        /** On the event loop: writes what is queued, then flushes each connection written to once. */
        @Override
        public void run() {
            scheduled.set(false);
            Pending p;
            while ((p = queue.poll()) != null) {
                Target target = p.target();
                int bytes = p.frame().length;
                if (target.closing()) {
                    target.done(bytes);
                    continue;
                }
                target.transport().write(new TextWebSocketFrame(Unpooled.wrappedBuffer(p.frame())))
                        .addListener(f -> target.done(bytes));
                if (target.markUnflushed()) {
                    unflushed.add(target);
                }
            }
            for (Target target : unflushed) {
                target.clearUnflushed();
                target.transport().flush();
            }
            unflushed.clear();
        }
    }
}
