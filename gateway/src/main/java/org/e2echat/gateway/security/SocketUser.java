package org.e2echat.gateway.security;

import java.security.Principal;

/**
 * Who holds a socket, as {@link UpgradeGuard} verified it from the upgrade's token: the user id
 * (the token's {@code sub}) and when the token expires. All a connection keeps of the token's
 * claims; the token itself stays only in the handshake headers, whence a send forwards it.
 */
public record SocketUser(String userId, long expiresAtMillis) implements Principal {

    @Override
    public String getName() {
        return userId;
    }
}
