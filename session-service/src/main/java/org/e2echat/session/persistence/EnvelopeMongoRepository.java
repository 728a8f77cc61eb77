package org.e2echat.session.persistence;

import com.mongodb.client.model.Indexes;
import io.quarkus.mongodb.panache.common.MongoEntity;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.bson.codecs.pojo.annotations.BsonId;
import org.e2echat.session.domain.Envelope;
import org.e2echat.session.domain.Stores.EnvelopeStore;

/** Envelopes, one document each; only the winning rotation's envelopes of an epoch are ever read. */
@ApplicationScoped
public class EnvelopeMongoRepository
        implements ReactivePanacheMongoRepositoryBase<EnvelopeMongoRepository.EnvelopeDocument, String>, EnvelopeStore {

    @MongoEntity(collection = "envelopes")
    public static class EnvelopeDocument {
        @BsonId
        public String id;
        public String sessionId;
        public int epoch;
        public String rotationId;
        public String recipientId;
        public int recipientKeyVersion;
        public String senderId;
        public int senderKeyVersion;
        public String suite;
        public String enc;
        public String ciphertext;
        public String signature;
        public Instant createdAt;
    }

    public Uni<Void> createIndexes() {
        return mongoCollection().createIndex(Indexes.ascending("sessionId", "recipientId", "epoch")).replaceWithVoid();
    }

    @Override
    public Uni<Void> insertAll(List<Envelope> envelopes) {
        List<EnvelopeDocument> docs = envelopes.stream().map(e -> {
            EnvelopeDocument d = new EnvelopeDocument();
            d.id = e.rotationId() + ":" + e.recipientId();
            d.sessionId = e.sessionId();
            d.epoch = e.epoch();
            d.rotationId = e.rotationId();
            d.recipientId = e.recipientId();
            d.recipientKeyVersion = e.recipientKeyVersion();
            d.senderId = e.senderId();
            d.senderKeyVersion = e.senderKeyVersion();
            d.suite = e.suite();
            d.enc = e.enc();
            d.ciphertext = e.ciphertext();
            d.signature = e.signature();
            d.createdAt = e.createdAt();
            return d;
        }).toList();
        return persist(docs).replaceWithVoid();
    }

    @Override
    public Uni<List<Envelope>> forRecipient(String sessionId, String recipientId, Map<Integer, String> rotationByEpoch) {
        if (rotationByEpoch.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return find("sessionId = ?1 and recipientId = ?2", sessionId, recipientId).list()
                .map(docs -> docs.stream()
                        .filter(d -> d.rotationId.equals(rotationByEpoch.get(d.epoch)))
                        .sorted(Comparator.comparingInt(d -> d.epoch))
                        .map(d -> new Envelope(d.sessionId, d.epoch, d.rotationId, d.recipientId, d.recipientKeyVersion,
                                d.senderId, d.senderKeyVersion, d.suite, d.enc, d.ciphertext, d.signature, d.createdAt))
                        .toList());
    }
}
