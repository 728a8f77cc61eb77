package org.e2echat.message.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

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
}
