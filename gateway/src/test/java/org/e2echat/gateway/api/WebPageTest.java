package org.e2echat.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.e2echat.gateway.config.WebClientConfig;
import org.junit.jupiter.api.Test;

class WebPageTest {

    private static WebClientConfig config(String users, String sessions, String messages, String gateway) {
        return new WebClientConfig() {
            public String userServiceUrl() {
                return users;
            }

            public String sessionServiceUrl() {
                return sessions;
            }

            public String messageServiceUrl() {
                return messages;
            }

            public Optional<String> gatewayUrl() {
                return Optional.ofNullable(gateway);
            }

            public boolean strictTransportSecurity() {
                return false;
            }
        };
    }

    @Test
    void connectSrcNamesOnlyTheConfiguredServiceOrigins() {
        String csp = WebPage.contentSecurityPolicy(config("https://users.example.org/", "https://sessions.example.org",
                "http://127.0.0.1:8083/base", "wss://ws.example.org/ws"));
        assertTrue(csp.contains("connect-src 'self' https://users.example.org https://sessions.example.org "
                + "http://127.0.0.1:8083 wss://ws.example.org;"), csp);
        assertTrue(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"), csp);
        assertFalse(csp.contains("unsafe"), csp);
    }

    @Test
    void theConfigDocumentCarriesTheUrlsWithoutTrailingSlashAndTheSocketOnlyWhenSet() {
        assertEquals("{\"userService\":\"https://u.example\",\"sessionService\":\"https://s.example\","
                + "\"messageService\":\"https://m.example\"}",
                WebPage.configDocument(config("https://u.example/", "https://s.example", "https://m.example", "")));
    }

    @Test
    void aRelativeServiceUrlIsAConfigurationError() {
        assertThrows(IllegalArgumentException.class, () -> WebPage.origin("users.example.org"));
    }

    @Test
    void onlyThePageAndItsAssetsGetThePageHeaders() {
        assertTrue(WebPage.isPage("/") && WebPage.isPage("/assets/js/app.js") && WebPage.isPage("/config.json"));
        assertFalse(WebPage.isPage("/ws") || WebPage.isPage("/q/swagger-ui") || WebPage.isPage("/q/health"));
    }
}
