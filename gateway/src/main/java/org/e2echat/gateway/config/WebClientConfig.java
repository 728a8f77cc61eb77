package org.e2echat.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * Where the web client served at {@code /} finds the services, as a browser reaches them (the
 * public URLs, which in Kubernetes differ from the in-cluster ones). The page reads them from
 * {@code /config.json}; the page's Content-Security-Policy lets it connect to these origins only.
 */
@ConfigMapping(prefix = "e2echat.web")
public interface WebClientConfig {

    String userServiceUrl();

    String sessionServiceUrl();

    String messageServiceUrl();

    /** The WebSocket URL ({@code wss://host/ws}); empty: {@code /ws} on the page's own origin. */
    Optional<String> gatewayUrl();

    /** Sent on the page's responses; {@code max-age} only makes sense behind TLS. */
    @WithDefault("false")
    boolean strictTransportSecurity();
}
