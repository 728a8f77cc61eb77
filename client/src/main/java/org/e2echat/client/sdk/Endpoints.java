package org.e2echat.client.sdk;

import java.net.URI;
import java.util.Objects;

/** Where the four services are: HTTP base URLs of the REST services and the gateway's base URL. */
public record Endpoints(URI userService, URI sessionService, URI messageService, URI gateway) {

    public Endpoints {
        Objects.requireNonNull(userService, "userService");
        Objects.requireNonNull(sessionService, "sessionService");
        Objects.requireNonNull(messageService, "messageService");
        Objects.requireNonNull(gateway, "gateway");
    }

    /** The gateway's WebSocket address, {@code ws(s)://host:port/ws}. */
    public URI webSocket() {
        String scheme = "https".equals(gateway.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + gateway.getAuthority() + "/ws");
    }
}
