package org.e2echat.message.domain;

import io.smallrye.mutiny.Uni;
import java.util.List;

/** Persistence port for messages. */
public interface MessageStore {

    /** The highest seq stored in the session, or 0. */
    Uni<Long> maxSeq(String sessionId);

    /** Inserts; true when stored, false when a unique index (seq, client id or nonce) refused it. */
    Uni<Boolean> insert(Message message);

    Uni<Message> byClientId(String sessionId, String senderId, String clientMessageId);

    Uni<Boolean> nonceUsed(String sessionId, int epoch, String nonce);

    /** One page in seq order: ascending after {@code after}, or descending before {@code before}. */
    Uni<List<Message>> page(String sessionId, Range range, Long after, Long before, int limit);

    /** What a reader may see: epochs from joining on, and (once they left) up to the seq and epoch of leaving. */
    record Range(int fromEpoch, Integer toEpoch, Long toSeq) {
    }
}
