package org.e2echat.client.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One user's login: the access token authenticated calls carry and the refresh token that renews
 * it. The password is used for one login call and never kept; afterwards only tokens are held.
 */
final class Authentication implements Transport.Credentials {

    private final Endpoints endpoints;
    private final Transport transport;
    private final String username;
    private volatile String accessToken;
    private volatile String refreshToken;

    Authentication(Endpoints endpoints, Transport transport, String username) {
        this.endpoints = endpoints;
        this.transport = transport;
        this.username = username;
    }

    String username() {
        return username;
    }

    /** Logs in with the password (which is not kept); the tokens are kept for later calls. */
    void login(String password) {
        ObjectNode body = transport.json().createObjectNode().put("username", username).put("password", password);
        keep(transport.call("POST", endpoints.userService(), "/v1/auth/login", body, false));
    }

    /** Continues an earlier login with its refresh token (which is spent by this). */
    void resume(String token) {
        refreshToken = token;
        refresh();
    }

    /**
     * Exchanges the refresh token for new tokens (the old refresh token is spent). A second use
     * of a spent token revokes the whole login on the server, so this is never retried blindly.
     */
    synchronized void refresh() {
        if (refreshToken == null) {
            throw new IllegalStateException("not logged in");
        }
        ObjectNode body = transport.json().createObjectNode().put("refreshToken", refreshToken);
        keep(transport.call("POST", endpoints.userService(), "/v1/auth/refresh", body, false));
    }

    /** Deletes the account; the password is re-confirmed by the server and not kept. */
    void deleteAccount(String password) {
        ObjectNode body = transport.json().createObjectNode().put("password", password);
        transport.call("DELETE", endpoints.userService(), "/v1/users/me", body, true);
    }

    @Override
    public synchronized void refreshUnlessRenewed(String stale) {
        if (Objects.equals(accessToken, stale)) {
            refresh();
        }
    }

    @Override
    public String accessToken() {
        return accessToken;
    }

    @Override
    public boolean canRefresh() {
        return refreshToken != null;
    }

    String refreshToken() {
        return refreshToken;
    }

    private void keep(JsonNode tokens) {
        accessToken = tokens.path("accessToken").asText();
        refreshToken = tokens.path("refreshToken").asText(null);
    }
}
