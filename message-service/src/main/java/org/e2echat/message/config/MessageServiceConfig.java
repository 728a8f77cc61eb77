package org.e2echat.message.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Typed configuration of message-service (the session-service URL is {@code e2echat.session-service.url}). */
@ConfigMapping(prefix = "e2echat.messages")
public interface MessageServiceConfig {

    /**
     * Largest ciphertext accepted, in bytes after base64 decoding: at most the message format's own
     * limit ({@code MessageService.FORMAT_MAX_CIPHERTEXT_BYTES}, 65,535), which is the default.
     */
    @WithDefault("65535")
    int maxCiphertextBytes();

    @WithDefault("50")
    int defaultPageSize();

    @WithDefault("200")
    int maxPageSize();

    /**
     * Sends per user (per instance), over REST as on the socket: a burst of {@code sendBurst}, then
     * {@code sendBurst} per {@code sendWindow} (20 a second by default); beyond it 429 rate-limited.
     */
    @WithDefault("40")
    int sendBurst();

    @WithDefault("2s")
    Duration sendWindow();
}
