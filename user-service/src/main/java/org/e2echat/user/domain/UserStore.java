package org.e2echat.user.domain;

import io.smallrye.mutiny.Uni;

/** Persistence port for users. */
public interface UserStore {

    /** Inserts a new user; fails with {@link UsernameTaken} when the username key is taken. */
    Uni<Void> insert(User user);

    Uni<User> get(String id);

    Uni<User> getByUsernameKey(String usernameKey);

    /** Replaces the user if its stored revision still equals {@code user.revision()}; true when it did. */
    Uni<Boolean> replace(User user);

    /** Thrown by {@link #insert} for a duplicate username key. */
    final class UsernameTaken extends RuntimeException {
        public UsernameTaken() {
            super("username taken", null, false, false);
        }
    }
}
