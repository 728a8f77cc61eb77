package org.e2echat.session.domain;

/**
 * What session-service knows of a user, projected from {@code chat.users}; {@code revision} is the
 * user's revision in user-service this state is from (a newer event has a higher one).
 */
public record KnownUser(String userId, String username, String displayName, boolean deleted,
        Integer currentKeyVersion, long revision) {
}
