package org.e2echat.gateway.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;
import org.e2echat.gateway.config.GatewayConfig;
import org.jboss.logging.Logger;

/**
 * Ends every close the gateway starts within {@code e2echat.gateway.close-timeout}: a close
 * handshake first, then, if the TCP connection is still open, a reset that drops what is still
 * buffered for the peer. Counts closes by code ({@code e2echat_gateway_closes_total}) and resets
 * ({@code e2echat_gateway_close_resets_total}).
 *
 * <p>Why a reset: the close frame queues behind every frame not yet written, so a peer that stopped
 * reading (the 1013 for an overflowing queue, a dead peer's 1001) never receives it, and the
 * connection would stay ESTABLISHED with megabytes unsent until the peer reads again. Neither
 * websockets-next nor Vert.x's public API can end it: {@code WebSocketConnection} does not expose
 * the Vert.x {@code ServerWebSocket}; {@code ServerWebSocket.close} and {@code HttpConnection.close}
 * both wait for earlier writes to flush (Vert.x closes only after an empty write completes); and
 * Vert.x's server {@code webSocketClosingTimeout} starts only once the close frame was written.
 *
 * <p>How: the supported {@link HttpUpgradeCheck} SPI sees each upgrade's Vert.x request, and
 * {@link UserData} carries what it finds to the {@link WebSocketConnection}. The one step into
 * Vert.x internals is {@link ConnectionBase#channelHandlerContext()}: the Netty context of the
 * connection the WebSocket runs on (Vert.x 4 runs every server WebSocket on its HTTP/1.1
 * {@code ConnectionBase}). Closing from that context is what Vert.x itself does when its own
 * closing timeout ends; {@code channel.close()} would not do, because Vert.x's handler turns it back
 * into a flush-then-close. With {@code SO_LINGER} 0 the kernel sends RST and discards its send
 * buffer, and Netty fails the writes it still queues. Should a Vert.x upgrade change the
 * connection class, the {@code instanceof} fails, a warning is logged once, and closes are
 * handshakes only again.
 */
@ApplicationScoped
public class ConnectionTeardown implements HttpUpgradeCheck {

    private static final Logger LOG = Logger.getLogger(ConnectionTeardown.class);
    private static final UserData.TypedKey<ChannelHandlerContext> TRANSPORT =
            new UserData.TypedKey<>("e2echat.gateway.transport");

    private final Vertx vertx;
    private final GatewayConfig config;
    private final MeterRegistry meters;
    private final Counter resets;
    private final AtomicBoolean warned = new AtomicBoolean();

    public ConnectionTeardown(Vertx vertx, GatewayConfig config, MeterRegistry meters) {
        this.vertx = vertx;
        this.config = config;
        this.meters = meters;
        this.resets = Counter.builder("e2echat.gateway.close.resets")
                .description("Server-initiated closes whose handshake did not finish in time, so the TCP connection was reset")
                .register(meters);
    }

    /** Remembers the upgrading connection's transport; never refuses an upgrade. */
    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpConnection connection = context.httpRequest().connection();
        if (connection instanceof ConnectionBase base) {
            context.userData().put(TRANSPORT, base.channelHandlerContext());
        } else if (warned.compareAndSet(false, true)) {
            LOG.warnf("upgrade on a %s, not a Vert.x ConnectionBase: closes cannot be forced after %s",
                    connection == null ? "null connection" : connection.getClass().getName(), config.closeTimeout());
        }
        return CheckResult.permitUpgrade();
    }

    /**
     * The Netty context of the connection's transport (its pipeline and event loop), or null when
     * the upgrade was not on a Vert.x {@code ConnectionBase}.
     */
    public ChannelHandlerContext transport(WebSocketConnection connection) {
        return connection.userData().get(TRANSPORT);
    }

    /**
     * Starts the close handshake with {@code code}; completes when the close frame was written or
     * the connection is gone. If the connection is still open {@code close-timeout} later, it is reset.
     */
    public Uni<Void> close(WebSocketConnection connection, int code, String reason) {
        return Uni.createFrom().deferred(() -> {
            if (connection.isClosed()) {
                return Uni.createFrom().voidItem();
            }
            meters.counter("e2echat.gateway.closes", "code", Integer.toString(code)).increment();
            ChannelHandlerContext transport = transport(connection);
            if (transport != null) {
                long timer = vertx.setTimer(Math.max(1, config.closeTimeout().toMillis()), t -> reset(transport));
                transport.channel().closeFuture().addListener(f -> vertx.cancelTimer(timer));
            }
            return connection.close(new CloseReason(code, reason)).onFailure().recoverWithNull();
        });
    }

    private void reset(ChannelHandlerContext transport) {
        transport.executor().execute(() -> {
            if (transport.channel().isOpen()) {
                transport.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                transport.close();
                resets.increment();
            }
        });
    }
}
