package org.e2echat.user.domain;

import io.smallrye.mutiny.Uni;
import org.e2echat.common.outbox.OutboxEvent;

/** Persistence port for users. */
public interface UserStore {

    /** Inserts a new user at its revision (0); fails with {@link UsernameTaken} when the username key is taken. */
    Uni<Void> insert(User user);

    Uni<User> get(String id);

    Uni<User> getByUsernameKey(String usernameKey);

    /**
     * Replaces the user if its stored revision still equals {@code user.revision()}, storing it at
     * {@code user.revision() + 1}; true when it did.
     */
    Uni<Boolean> replace(User user);

    /**
     * Appends {@code event} to the user's outbox without changing anything else (the revision
     * included), if the stored revision still equals {@code revision}; true when it did.
     */
    Uni<Boolean> append(String userId, long revision, OutboxEvent event);

    /**
     * Ids of live users with a key stored ACTIVE whose {@code expiresAt} is at or before {@code now},
     * at most {@code limit}: the keys whose expiry has not been recorded yet.
     */
    Uni<java.util.List<String>> withActiveKeyExpiredBy(java.time.Instant now, int limit);

    /** Thrown by {@link #insert} for a duplicate username key. */
    final class UsernameTaken extends RuntimeException {
        public UsernameTaken() {
            super("username taken", null, false, false);
        }
    }
}
