package org.e2echat.session.domain;

/** What session-service knows of a user, projected from {@code chat.users}. */
public record KnownUser(String userId, String username, String displayName, boolean deleted,
        Integer currentKeyVersion) {
}
