package org.e2echat.client.sdk;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The application's {@link ChatListener}s, shared by the client's parts. */
final class Listeners {

    private final List<ChatListener> all = new CopyOnWriteArrayList<>();

    void add(ChatListener listener) {
        all.add(Objects.requireNonNull(listener));
    }

    void each(Consumer<ChatListener> call) {
        all.forEach(call);
    }
}
