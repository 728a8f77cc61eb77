package org.e2echat.user.domain;

/** Port for minting access tokens (implemented with the service's signing keys). */
public interface TokenIssuer {

    /** A signed access token for the user, and its lifetime in seconds. */
    Issued issue(String userId, String username);

    record Issued(String token, long expiresInSeconds) {
    }
}
