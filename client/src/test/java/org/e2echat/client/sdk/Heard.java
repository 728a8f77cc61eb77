package org.e2echat.client.sdk;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a listener heard, in order: deliveries as "seq:messageId", repairs as "repaired@fromSeq",
 * errors as "error:..."; {@link #done} completes when the message {@link #awaitedId} is delivered.
 */
final class Heard implements ChatListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile String awaitedId;

    @Override
    public void onMessage(ReceivedMessage message) {
        events.add(message.seq() + ":" + message.messageId());
        if (message.messageId().equals(awaitedId)) {
            done.complete(null);
        }
    }

    @Override
    public void onTimelineRepaired(String sessionId, long fromSeq) {
        events.add("repaired@" + fromSeq);
    }

    @Override
    public void onError(Throwable error) {
        events.add("error:" + error);
    }
}
